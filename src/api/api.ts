import type { Failure, Timings } from '../core/types.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { send, type ClientDeps, type HttpRequest, type HttpSuccess } from '../http/client.js';
import { toFailure } from '../http/failure.js';
import { JsonTooComplex, parseJson } from '../core/json-depth.js';

/** Which key a path needs: /v1 → proxy key, /api → billing key, anything else → none. */
export function keyRoleFor(path: string): 'apiKey' | 'billingKey' | undefined {
  if (path === '/v1' || path.startsWith('/v1/')) return 'apiKey';
  if (path === '/api' || path.startsWith('/api/')) return 'billingKey';
  return undefined;
}

/** "in 212 ms (dns 3 ms, connect 9 ms, tls 40 ms, first byte 180 ms)": phases from the attempt's start. */
export function timingLine(t: Timings): string {
  const parts = [
    t.dnsMs !== undefined ? `dns ${t.dnsMs} ms` : '',
    t.connectMs !== undefined ? `connect ${t.connectMs} ms` : '',
    t.tlsMs !== undefined ? `tls ${t.tlsMs} ms` : '',
    t.firstByteMs !== undefined ? `first byte ${t.firstByteMs} ms` : '',
  ].filter(Boolean);
  return `in ${t.totalMs} ms${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

const MiB = 1024 * 1024;

/**
 * The most apidoctor reads of a success body from a path. The account routes answer small documents
 * (GET /api/keys grows with the keys: a record is about 130 bytes, so 16 MiB holds 100,000 of them with room
 * to spare), the model list too (a few hundred models are a few hundred KiB);
 * anything longer is not the API, and reading on would only fill memory. Other paths get the client's cap.
 */
export function successCapFor(method: string, path: string): number | undefined {
  const p = path.split('?')[0]!;
  if (method === 'GET' && (p === '/api/keys' || p === '/api/keys/')) return 16 * MiB;
  // A page of usage or transactions holds at most 50 records (~200 bytes each); balance asks six at once,
  // so six 4 MiB answers would sit in memory together.
  if (method === 'GET' && (p === '/api/usage' || p === '/api/transactions')) return MiB;
  if (p === '/api' || p.startsWith('/api/')) return 4 * MiB;
  if (method === 'GET' && (p === '/v1/models' || p.startsWith('/v1/models/'))) return 4 * MiB;
  return undefined;
}

/** A JSON answer, or the failure that stands for it. */
export type JsonOutcome<T> = { ok: true; data: T; res: HttpSuccess } | { ok: false; failure: Failure };

/** A thin API client: base URL, timeout and keys from the config; every failure normalised. */
export class Api {
  constructor(
    readonly config: ResolvedConfig,
    readonly deps: ClientDeps,
    /** --verbose: one line per request and per attempt (written through the redacting output layer). */
    private readonly trace?: (line: string) => void,
  ) {}

  /** The full URL of an API path. */
  url(path: string): string {
    return this.config.baseUrl.value + path;
  }

  /** Headers for a path: the key of its kind, JSON content type when there is a body. */
  headers(path: string, hasBody: boolean, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': 'apidoctor', accept: 'application/json', ...extra };
    const role = keyRoleFor(path);
    // A key never goes to a base URL less trusted than the key (config.untrusted-base-url): commands refuse
    // before sending, and this holds for any request that would slip past them.
    const key = role && !this.config.untrustedBaseUrl?.[role] ? this.config[role].value?.trim() : undefined;
    if (key && !Object.keys(extra).some((k) => k.toLowerCase() === 'authorization')) h.authorization = `Bearer ${key}`;
    if (hasBody && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    return h;
  }

  /** Sends a request to an API path with the right key. */
  request(method: string, path: string, opts: Partial<HttpRequest> = {}) {
    const { headers, onAttempt, ...rest } = opts;
    const h = this.headers(path, opts.body !== undefined, headers);
    const trace = this.trace;
    if (trace) {
      trace(`→ ${method} ${this.url(path)}`);
      for (const [k, v] of Object.entries(h)) trace(`  ${k}: ${v}`);
      if (opts.body !== undefined) trace(`  (body: ${Buffer.byteLength(opts.body)} bytes)`);
    }
    return send(
      {
        timeoutMs: this.config.timeout.value ?? 15_000,
        maxBodyBytes: successCapFor(method, path),
        ...rest,
        method,
        url: this.url(path),
        headers: h,
        onAttempt: (a, willRetry) => {
          if (trace)
            trace(
              `← ${method} ${path} #${a.n}: ${a.status ?? a.networkCode ?? 'no answer'} ${timingLine(a.timings)}${a.retryNote ? ` (${a.retryNote})` : ''}`,
            );
          onAttempt?.(a, willRetry);
        },
      },
      this.deps,
    );
  }

  /**
   * Sends a request and parses a JSON answer, checking its shape with `check` (which names what is missing).
   * A success status with a body that is not JSON, or not of the promised shape, becomes a failure.
   */
  async json<T>(
    method: string,
    path: string,
    check: (v: unknown) => string | undefined,
    opts: Partial<HttpRequest> = {},
  ): Promise<JsonOutcome<T>> {
    const out = await this.request(method, path, opts);
    if (!out.ok) return out;
    return parseJsonSuccess<T>(out, method, this.url(path), check);
  }
}

/** Turns a success response into data, or into a response.not-json / response.bad-shape failure. */
export function parseJsonSuccess<T>(
  res: HttpSuccess,
  method: string,
  url: string,
  check: (v: unknown) => string | undefined,
): JsonOutcome<T> {
  const u = new URL(url);
  const base: Failure = toFailure({
    kind: 'http',
    status: res.status,
    headers: res.headers,
    body: res.body.slice(0, 1024 * 1024),
    bodyBytes: res.bytes,
    attempts: res.attempts,
    method,
    endpoint: u.pathname + u.search,
    host: u.host,
  });
  if (res.truncated) {
    // Cut at the cap: what was read is only the beginning of something no endpoint answers.
    const what = check(undefined) ?? 'an answer';
    return {
      ok: false,
      failure: {
        ...base,
        bodyTruncated: true,
        unexpectedBody: 'too-large',
        expected: `${what} of at most ${Math.round(res.bytes / MiB)} MiB`,
      },
    };
  }
  if (res.status === 204 || res.body.trim() === '') {
    const problem = check(undefined);
    if (!problem) return { ok: true, data: undefined as T, res };
    return { ok: false, failure: { ...base, unexpectedBody: 'not-json', expected: problem } };
  }
  let data: unknown;
  try {
    data = parseJson(res.body);
  } catch (e) {
    // Valid JSON past a bound (nesting, count of objects) is not "something else answered": it is too large to read.
    if (e instanceof JsonTooComplex)
      return {
        ok: false,
        failure: {
          ...base,
          unexpectedBody: 'too-large',
          expected: `${check(undefined) ?? 'an answer'} within apidoctor's bound (${e.message.replace(/^JSON /, 'this answer is JSON ')})`,
        },
      };
    return { ok: false, failure: { ...base, unexpectedBody: 'not-json', expected: 'a JSON body' } };
  }
  const problem = check(data);
  if (problem) return { ok: false, failure: { ...base, unexpectedBody: 'bad-shape', expected: problem } };
  return { ok: true, data: data as T, res };
}

/** Shape checks for the documented answers; each returns what is missing, or undefined when fine. */
export const SHAPES = {
  models: (v: unknown) =>
    Array.isArray(v) || Array.isArray((v as { data?: unknown })?.data) ? undefined : 'a model list ({"data": [...]})',
  // A finite number: JSON's 1e400 parses to Infinity, which would pass any --min and print as "Infinity USD".
  balance: (v: unknown) =>
    Number.isFinite((v as { balance?: unknown })?.balance) ? undefined : 'a balance ({"balance": <a finite number>})',
  keys: (v: unknown) => (Array.isArray((v as { keys?: unknown })?.keys) ? undefined : 'a key list ({"keys": [...]})'),
  chat: (v: unknown) => (Array.isArray((v as { choices?: unknown })?.choices) ? undefined : 'a chat completion ({"choices": [...]})'),
  embeddings: (v: unknown) => (Array.isArray((v as { data?: unknown })?.data) ? undefined : 'an embedding list ({"data": [...]})'),
  anyJson: (v: unknown) => (v === undefined ? 'a JSON body' : undefined),
  anything: () => undefined,
};

/** The shape a documented path promises, for `call`. */
export function shapeFor(method: string, path: string): (v: unknown) => string | undefined {
  const p = path.split('?')[0]!;
  if (method === 'GET' && p === '/v1/models') return SHAPES.models;
  if (method === 'GET' && p === '/api/balance') return SHAPES.balance;
  if (method === 'GET' && p === '/api/keys') return SHAPES.keys;
  if (method === 'POST' && p === '/v1/chat/completions') return SHAPES.chat;
  if (method === 'POST' && p === '/v1/embeddings') return SHAPES.embeddings;
  if (method === 'DELETE' || method === 'PUT') return SHAPES.anything;
  return SHAPES.anyJson;
}
