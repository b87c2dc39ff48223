/** Walks an error's cause chain (and AggregateError's errors) for the first network code. */
export function networkCodeOf(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 8) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown[]; name?: string };
  // undici's own codes are specific enough; a Node code in the cause may be more specific still.
  const inner =
    networkCodeOf(e.cause, depth + 1) ??
    (Array.isArray(e.errors) ? e.errors.map((x) => networkCodeOf(x, depth + 1)).find(Boolean) : undefined);
  const own = typeof e.code === 'string' ? e.code : undefined;
  if (own && inner && (own === 'UND_ERR_SOCKET' || own === 'UND_ERR_CONNECT' || own === 'ECONNRESET')) return inner;
  return own ?? inner ?? (e.name === 'AbortError' ? 'ABORT_ERR' : undefined);
}

/** The innermost message of an error chain: usually the one that says what happened. */
export function innermostMessage(err: unknown, depth = 0): string {
  if (!err || typeof err !== 'object') return String(err);
  const e = err as { message?: string; cause?: unknown; errors?: unknown[] };
  if (e.cause && depth < 8) return innermostMessage(e.cause, depth + 1);
  if (Array.isArray(e.errors) && e.errors.length > 0 && depth < 8) return innermostMessage(e.errors[0], depth + 1);
  return e.message ?? String(err);
}
