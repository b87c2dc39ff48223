/** How long a server asked to wait, from its headers: the one reading the retry policy and the diagnosis share. */

/** A wait a server asked for: how long, and the header that said so (as it said it). */
export interface RetryAfter {
  /** Milliseconds from now (may be negative or 0 when the header says so). */
  ms: number;
  /** The same in seconds, as the header gave it (a date: whole seconds). */
  sec: number;
  /** `retry-after-ms: 1500` or `Retry-After: 2`, for notes. */
  said: string;
  header: 'retry-after-ms' | 'Retry-After';
  /** True when Retry-After gave an HTTP date rather than seconds. */
  date: boolean;
}

/**
 * Reads `retry-after-ms` (OpenAI's and Azure's, milliseconds) first, then `Retry-After` (seconds, or an HTTP
 * date: a date in the past gives 0). Undefined when neither is there or readable. Header names lower-case.
 */
export function retryAfterOf(headers: Readonly<Record<string, string | undefined>>, nowMs: number): RetryAfter | undefined {
  const rawMs = headers['retry-after-ms'];
  if (rawMs) {
    const ms = Number(rawMs);
    if (Number.isFinite(ms)) return { ms, sec: ms / 1000, said: `retry-after-ms: ${rawMs}`, header: 'retry-after-ms', date: false };
  }
  const ra = headers['retry-after']?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra))
    return { ms: Number(ra) * 1000, sec: Number(ra), said: `Retry-After: ${headers['retry-after']}`, header: 'Retry-After', date: false };
  const at = Date.parse(ra);
  if (Number.isNaN(at)) return undefined;
  const ms = Math.max(0, at - nowMs);
  return { ms, sec: Math.round(ms / 1000), said: `Retry-After: ${headers['retry-after']}`, header: 'Retry-After', date: true };
}
