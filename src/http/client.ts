import type { Dispatcher, buildConnector as BuildConnector } from 'undici';
import type { Attempt, Failure, Timings } from '../types.js';
import { InterruptedError } from '../errors.js';
import { decideRetry, type RetryLimits } from './retry.js';
import { networkCodeOf, innermostMessage } from './network-error.js';
import { proxyFor } from './proxy.js';

/** Time, injectable so that tests never sleep. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: performance.now and an abortable, unref'd timer. */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** What the client needs from its surroundings. */
export interface ClientDeps {
  dispatcher?: Dispatcher;
  clock?: Clock;
  random?: () => number;
  /** Aborted on Ctrl-C: every request and wait stops at once. */
  signal?: AbortSignal;
}

/** One logical request (the client may make several attempts). */
export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Retries for 429/500/502/503 (default 0). */
  retries?: number;
  retryLimits?: RetryLimits;
  /** Asked before each retry with the failure so far; false stops retrying. */
  isRetryable?: (f: Failure) => boolean;
  /** Cap on an error body (default 1 MiB). */
  maxErrorBytes?: number;
  /** Cap on a success body (default 64 MiB). */
  maxBodyBytes?: number;
  /** Stream a success body: chunks go to onChunk as they arrive, and the timeout becomes an idle timeout. */
  onChunk?: (text: string) => void;
  /** With onChunk: the status and headers of a success, before its first chunk (for --include). */
  onResponse?: (status: number, headers: Record<string, string>) => void;
  /** Called after each attempt (for progress and --verbose traces). */
  onAttempt?: (a: Attempt, willRetry: boolean) => void;
}

/** A success response. */
export interface HttpSuccess {
  ok: true;
  status: number;
  headers: Record<string, string>;
  body: string;
  bytes: number;
  truncated: boolean;
  attempts: Attempt[];
}

/** Either a success or a normalised failure — never a thrown error, except Ctrl-C. */
export type HttpOutcome = HttpSuccess | { ok: false; failure: Failure };

/** Errors that happen before any byte of an answer: with a proxy, they concern the proxy. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

export const MAX_ERROR_BYTES = 1024 * 1024;
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

interface ConnTiming { origin: string; startedAt: number; dnsMs?: number; connectMs?: number; tlsMs?: number; claimed: boolean }

/** Connection phase timings recorded by the connector, claimed by the attempt that caused them. */
const connections: ConnTiming[] = [];

let defaultDispatcher: Dispatcher | undefined;

/** The slim undici (see src/vendor/undici-slim.cjs); a CommonJS module, so its exports are its default. */
async function loadUndici(): Promise<typeof import('../vendor/undici-slim.cjs')> {
  const mod = (await import('../vendor/undici-slim.cjs')) as typeof import('../vendor/undici-slim.cjs') & { default?: typeof import('../vendor/undici-slim.cjs') };
  return mod.default ?? mod;
}

/**
 * The default dispatcher: undici's EnvHttpProxyAgent (HTTPS_PROXY, HTTP_PROXY, NO_PROXY in either case),
 * with a connector that records DNS, TCP and TLS timings. undici is imported only on first use.
 */
export async function getDefaultDispatcher(connectTimeoutMs: number): Promise<Dispatcher> {
  if (defaultDispatcher) return defaultDispatcher;
  const { EnvHttpProxyAgent, buildConnector } = await loadUndici();
  const base = buildConnector({ timeout: connectTimeoutMs });
  const connect: BuildConnector.connector = (opts, cb) => {
    const rec: ConnTiming = { origin: `${opts.protocol}//${opts.hostname}:${opts.port}`, startedAt: performance.now(), claimed: false };
    connections.push(rec);
    if (connections.length > 64) connections.shift();
    const socket = base(opts, cb) as unknown as NodeJS.EventEmitter | undefined;
    socket?.once?.('lookup', () => (rec.dnsMs = performance.now() - rec.startedAt));
    socket?.once?.('connect', () => (rec.connectMs = performance.now() - rec.startedAt));
    socket?.once?.('secureConnect', () => (rec.tlsMs = performance.now() - rec.startedAt));
    return socket as never;
  };
  defaultDispatcher = new EnvHttpProxyAgent({ connect, keepAliveTimeout: 4_000 });
  return defaultDispatcher;
}

/** Closes the default dispatcher so no socket keeps the process alive. */
export async function closeDefaultDispatcher(): Promise<void> {
  const d = defaultDispatcher;
  defaultDispatcher = undefined;
  if (d) await d.destroy().catch(() => {});
}

function claimConnection(url: URL, startedAt: number): Partial<Timings> {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const origin = `${url.protocol}//${url.hostname}:${port}`;
  const rec = connections.find((c) => !c.claimed && c.origin === origin && c.startedAt >= startedAt - 1);
  if (!rec) return {};
  rec.claimed = true;
  const shift = rec.startedAt - startedAt;
  const at = (v?: number) => (v === undefined ? undefined : Math.round(v + shift));
  return { dnsMs: at(rec.dnsMs), connectMs: at(rec.connectMs), tlsMs: at(rec.tlsMs) };
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Sends one logical request, retrying 429/500/502/503 with backoff, and never throws but for Ctrl-C. */
export async function send(req: HttpRequest, deps: ClientDeps = {}): Promise<HttpOutcome> {
  const clock = deps.clock ?? realClock;
  const random = deps.random ?? Math.random;
  const { request } = await loadUndici();
  const dispatcher = deps.dispatcher ?? (await getDefaultDispatcher(req.timeoutMs));
  const url = new URL(req.url);
  const attempts: Attempt[] = [];
  let waited = 0;
  for (let n = 1; ; n++) {
    if (deps.signal?.aborted) throw InterruptedError.from(deps.signal);
    const started = clock.now();
    const wallStart = performance.now();
    const ac = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        ac.abort(new Error('timeout'));
      }, req.timeoutMs);
    };
    const onUserAbort = () => ac.abort(deps.signal?.reason);
    deps.signal?.addEventListener('abort', onUserAbort, { once: true });
    arm();
    const attempt: Attempt = { n, timings: { totalMs: 0 } };
    attempts.push(attempt);
    let failure: Failure | undefined;
    let success: HttpSuccess | undefined;
    try {
      const res = await request(url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        dispatcher,
        signal: ac.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      attempt.timings.firstByteMs = Math.round(clock.now() - started);
      attempt.status = res.statusCode;
      const headers = flattenHeaders(res.headers as Record<string, string | string[] | undefined>);
      const isSuccess = res.statusCode >= 200 && res.statusCode < 300;
      const cap = isSuccess ? (req.maxBodyBytes ?? MAX_BODY_BYTES) : (req.maxErrorBytes ?? MAX_ERROR_BYTES);
      const streaming = isSuccess && req.onChunk !== undefined;
      if (streaming) req.onResponse?.(res.statusCode, headers);
      const decoder = new TextDecoder('utf-8');
      const parts: string[] = [];
      let bytes = 0;
      let truncated = false;
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          if (streaming) {
            arm(); // idle timeout between chunks
            const text = decoder.decode(chunk, { stream: true });
            bytes += chunk.length;
            req.onChunk!(text);
            // Only the tail is kept (a stream can run for long): a failure is read from its end.
            parts.push(text);
            if (parts.length > 64) parts.splice(0, parts.length - 64);
            continue;
          }
          const room = cap - bytes;
          if (chunk.length > room) {
            parts.push(decoder.decode(chunk.subarray(0, Math.max(0, room)), { stream: true }));
            bytes += Math.max(0, room);
            truncated = true;
            break;
          }
          bytes += chunk.length;
          parts.push(decoder.decode(chunk, { stream: true }));
        }
        parts.push(decoder.decode());
      } catch (e) {
        if (deps.signal?.aborted) throw InterruptedError.from(deps.signal);
        // The body broke off after the headers: a cut stream, a reset mid-body, or a stalled body.
        const body = parts.join('');
        failure = {
          kind: streaming ? 'stream' : isSuccess ? 'network' : 'http',
          status: isSuccess && !streaming ? undefined : res.statusCode,
          headers,
          body,
          bodyBytes: bytes,
          attempts,
          networkCode: timedOut ? 'UND_ERR_BODY_TIMEOUT' : networkCodeOf(e) ?? 'ECONNRESET',
          networkMessage: timedOut ? `the body stalled for ${req.timeoutMs} ms after the headers came` : innermostMessage(e),
          streamCut: streaming ? true : undefined,
        };
      }
      if (truncated) res.body.destroy();
      if (!failure) {
        const body = parts.join('');
        if (isSuccess) {
          success = { ok: true, status: res.statusCode, headers, body, bytes, truncated, attempts };
        } else {
          failure = { kind: 'http', status: res.statusCode, headers, body, bodyBytes: bytes, bodyTruncated: truncated, attempts };
        }
      }
    } catch (e) {
      if (deps.signal?.aborted) throw InterruptedError.from(deps.signal);
      const code = timedOut ? 'UND_ERR_HEADERS_TIMEOUT' : (networkCodeOf(e) ?? 'UNKNOWN');
      let message = timedOut ? `no answer within ${req.timeoutMs} ms` : innermostMessage(e);
      // Behind a proxy, a failure to connect is a failure to reach the proxy: say so, so it reads as one.
      const proxy = deps.dispatcher ? undefined : proxyFor(url, process.env);
      if (proxy?.url && CONNECT_CODES.has(code)) message = `could not reach the proxy ${proxy.display} (${proxy.source}): ${message}`;
      failure = { kind: 'network', headers: {}, attempts, networkCode: code, networkMessage: message };
      attempt.networkCode = failure.networkCode;
    } finally {
      clearTimeout(timer);
      deps.signal?.removeEventListener('abort', onUserAbort);
    }
    attempt.timings = { ...claimConnection(url, wallStart), ...attempt.timings, totalMs: Math.round(clock.now() - started) };
    const endpoint = url.pathname + url.search;
    if (success) {
      req.onAttempt?.(attempt, false);
      return success;
    }
    const f: Failure = { ...failure!, method: req.method, endpoint, host: url.host };
    const decision = decideRetry({
      status: f.kind === 'http' ? f.status : undefined,
      failureIndex: n - 1,
      retries: req.retries ?? 0,
      retryAfter: f.headers['retry-after'],
      nowMs: Date.now(),
      waitedMs: waited,
      random,
      limits: req.retryLimits,
      retryable: f.kind === 'http' && req.isRetryable ? req.isRetryable(f) : undefined,
    });
    if (decision.note) attempt.retryNote = decision.note;
    if (decision.retry) attempt.waitMs = decision.waitMs;
    req.onAttempt?.(attempt, decision.retry);
    if (!decision.retry) return { ok: false, failure: f };
    try {
      await clock.sleep(decision.waitMs, deps.signal);
    } catch {
      throw InterruptedError.from(deps.signal);
    }
    waited += decision.waitMs;
  }
}
