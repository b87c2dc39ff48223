import type { Dispatcher } from 'undici';
import { nowMs } from '../core/clock.js';
import type { Attempt, Failure, Timings } from '../core/types.js';
import { InterruptedError } from '../core/errors.js';
import { decideRetry, RETRY_STATUSES, type RetryLimits } from './retry.js';
import { networkCodeOf, innermostMessage } from './network-error.js';
import { proxyFor } from './proxy.js';
import { toFailure } from './failure.js';
import {
  CONNECT_CODES,
  collectEvery,
  collectGarbage,
  decodedBody,
  getProxyDispatcher,
  openDirect,
  openWith,
  type OpenInit,
} from './transport.js';

export { closeDefaultDispatcher } from './transport.js';

/** Time, injectable so that tests never sleep. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: a monotonic one (core/clock.ts) and an abortable, unref'd timer. */
export const realClock: Clock = {
  now: nowMs,
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
  /** The environment the proxy settings are read from (HTTPS_PROXY, NO_PROXY …): main()'s deps.env; none given, no proxy. */
  env?: NodeJS.ProcessEnv;
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
  /** Asked before each retry (a 429, 500, 502, 503) with the failure so far; false stops retrying. Cheap and pure: never a diagnosis. */
  isRetryable?: (f: Failure) => boolean;
  /** Cap on an error body (default 1 MiB). */
  maxErrorBytes?: number;
  /** Cap on a success body (default 16 MiB). */
  maxBodyBytes?: number;
  /** Stream a success body: chunks go to onChunk as they arrive, and the timeout becomes an idle timeout. */
  onChunk?: (text: string) => void;
  /**
   * Reads a success body as it arrives (GET /api/keys: a million keys are 120 MB, read without holding them):
   * `write` gets each piece (with the attempt's number) and returns false once it cannot read this body, which
   * is then kept and capped as any other. While it reads, the cap does not end the body, and only its first
   * SINK_KEEP_BYTES are kept besides: past them the success's body is empty and `truncated` (the caller asks
   * again without a sink if it still needs the text). `complete` is asked at the end of a success: true when
   * the sink read it all, and the body's text is then not made (empty).
   */
  bodySink?: { write(chunk: Buffer, attempt: number): boolean; complete(): boolean };
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

export const MAX_ERROR_BYTES = 1024 * 1024;
/**
 * What is read of a success body at most: reading it takes about three times its size in memory (the
 * chunks, the text, its redacted copy), and peak memory stays under 150 MiB whatever the server sends.
 * A streamed body (--stream) is not held, so it has no cap.
 */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/**
 * What is kept of a body that a sink reads, for when it gives up on it (a body that is not what it reads is
 * nearly always short). Past this nothing is kept: each piece is garbage once read, and collected every
 * SINK_KEEP_BYTES (a young-generation collection, ~1 ms), so that the next pieces reuse its memory. Kept
 * whole, a 12.7 MB list of 100,000 keys took ~2,200 pages of memory more, each a page fault, and with its
 * pieces left to V8's own collections 1,600 more (keys 547 → 467 ms here, 12 interleaved runs).
 */
export const SINK_KEEP_BYTES = 1024 * 1024;

/** Sends one logical request, retrying 429/500/502/503 with backoff, and never throws but for Ctrl-C. */
export async function send(req: HttpRequest, deps: ClientDeps = {}): Promise<HttpOutcome> {
  const clock = deps.clock ?? realClock;
  const random = deps.random ?? Math.random;
  const url = new URL(req.url);
  const proxy = deps.dispatcher ? undefined : proxyFor(url, deps.env ?? {});
  let dispatcher = deps.dispatcher;
  if (proxy?.url) {
    try {
      dispatcher = await getProxyDispatcher(proxy.url, req.timeoutMs);
    } catch (e) {
      // HTTP_PROXY=127.0.0.1:3128 (no scheme), say: nothing can be sent.
      const attempt: Attempt = { n: 1, networkCode: 'ERR_PROXY_INVALID_URL', timings: { totalMs: 0 } };
      req.onAttempt?.(attempt, false);
      return {
        ok: false,
        failure: toFailure({
          kind: 'network',
          headers: {},
          attempts: [attempt],
          networkCode: 'ERR_PROXY_INVALID_URL',
          networkMessage: `the proxy ${proxy.display} (${proxy.source}) is not a usable proxy URL (${innermostMessage(e)}); it should look like http://proxy.example:3128`,
          method: req.method,
          endpoint: url.pathname + url.search,
          host: url.host,
        }),
      };
    }
  }
  const attempts: Attempt[] = [];
  let waited = 0;
  for (let n = 1; ; n++) {
    if (deps.signal?.aborted) throw InterruptedError.from(deps.signal);
    const started = clock.now();
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
    let connTimings: Partial<Timings> = {};
    try {
      const init: OpenInit = { method: req.method, headers: req.headers, body: req.body, signal: ac.signal, timeoutMs: req.timeoutMs };
      const res = dispatcher ? await openWith(dispatcher, url, init) : await openDirect(url, init);
      connTimings = res.timings;
      attempt.timings.firstByteMs = Math.round(clock.now() - started);
      attempt.status = res.status;
      const { headers } = res;
      const isSuccess = res.status >= 200 && res.status < 300;
      const cap = isSuccess ? (req.maxBodyBytes ?? MAX_BODY_BYTES) : (req.maxErrorBytes ?? MAX_ERROR_BYTES);
      const streaming = isSuccess && req.onChunk !== undefined;
      if (streaming) req.onResponse?.(res.status, headers);
      const decoder = new TextDecoder('utf-8');
      // A streamed body keeps only its decoded tail; any other is kept as the bytes that came (no copy, no
      // garbage per chunk) and decoded once at its end: its text alone is then the largest thing in memory.
      const parts: string[] = [];
      const chunks: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      let sinking = isSuccess && !streaming && req.bodySink !== undefined;
      /** Past SINK_KEEP_BYTES (or the cap) while the sink reads on: nothing of the body is kept. */
      let dropped = false;
      const kept = () => (dropped ? Buffer.alloc(0) : Buffer.concat(chunks, bytes));
      const text = () => (streaming ? parts.join('') : kept().toString('utf8'));
      try {
        for await (const chunk of decodedBody(res.body, headers['content-encoding'])) {
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
          if (sinking) sinking = req.bodySink!.write(chunk, n);
          if (dropped) {
            if (!sinking) break;
            // What the sink has read is garbage: collected every SINK_KEEP_BYTES, its memory is used again.
            collectEvery(bytes, chunk.length, SINK_KEEP_BYTES, 'minor');
            bytes += chunk.length;
            continue;
          }
          if (sinking && bytes + chunk.length > Math.min(cap, SINK_KEEP_BYTES)) {
            chunks.length = 0;
            dropped = truncated = true;
            bytes += chunk.length;
            collectGarbage('minor'); // what was kept
            continue;
          }
          const room = cap - bytes;
          if (chunk.length > room) {
            if (room > 0) chunks.push(chunk.subarray(0, room));
            bytes += Math.max(0, room);
            truncated = true;
            break;
          }
          // Not while a sink reads: what is kept is not garbage, and it is let go past the cap (above).
          if (!sinking) collectEvery(bytes, chunk.length);
          bytes += chunk.length;
          chunks.push(chunk);
        }
        if (streaming) parts.push(decoder.decode());
      } catch (e) {
        if (deps.signal?.aborted) throw InterruptedError.from(deps.signal);
        // The body broke off after the headers: a cut stream, a reset mid-body, or a stalled body. A failure keeps
        // at most an error body's worth of it (a success body broken off may be read up to the larger success cap).
        const errorCap = req.maxErrorBytes ?? MAX_ERROR_BYTES;
        const whole = streaming ? Buffer.from(text(), 'utf8') : kept();
        const over = whole.length > errorCap;
        // A stream is read from its end (its error event comes last); any other body from its start.
        const body = (over ? (streaming ? whole.subarray(whole.length - errorCap) : whole.subarray(0, errorCap)) : whole).toString('utf8');
        failure = toFailure({
          kind: streaming ? 'stream' : isSuccess ? 'network' : 'http',
          status: isSuccess && !streaming ? undefined : res.status,
          headers,
          body,
          bodyBytes: Math.min(bytes, errorCap),
          ...(over ? { bodyTruncated: true } : {}),
          attempts,
          networkCode: timedOut ? 'UND_ERR_BODY_TIMEOUT' : (networkCodeOf(e) ?? 'ECONNRESET'),
          networkMessage: timedOut ? `the body stalled for ${req.timeoutMs} ms after the headers came` : innermostMessage(e),
          streamCut: streaming ? true : undefined,
        });
      }
      if (truncated) res.destroy();
      if (!failure) {
        const body = sinking && !dropped && req.bodySink!.complete() ? '' : text();
        chunks.length = 0;
        if (isSuccess) {
          success = { ok: true, status: res.status, headers, body, bytes, truncated, attempts };
        } else {
          failure = toFailure({ kind: 'http', status: res.status, headers, body, bodyBytes: bytes, bodyTruncated: truncated, attempts });
        }
      }
    } catch (e) {
      if (deps.signal?.aborted) throw InterruptedError.from(deps.signal);
      const code = timedOut ? 'UND_ERR_HEADERS_TIMEOUT' : (networkCodeOf(e) ?? 'UNKNOWN');
      let message = timedOut ? `no answer within ${req.timeoutMs} ms` : innermostMessage(e);
      // Behind a proxy, a failure to connect is a failure to reach the proxy: say so, so it reads as one.
      if (proxy?.url && CONNECT_CODES.has(code)) message = `could not reach the proxy ${proxy.display} (${proxy.source}): ${message}`;
      failure = toFailure({ kind: 'network', headers: {}, attempts, networkCode: code, networkMessage: message });
      attempt.networkCode = failure.networkCode;
    } finally {
      clearTimeout(timer);
      deps.signal?.removeEventListener('abort', onUserAbort);
    }
    attempt.timings = { ...connTimings, ...attempt.timings, totalMs: Math.round(clock.now() - started) };
    const endpoint = url.pathname + url.search;
    if (success) {
      req.onAttempt?.(attempt, false);
      return success;
    }
    const f: Failure = toFailure({ ...failure!, method: req.method, endpoint, host: url.host });
    const decision = decideRetry({
      status: f.kind === 'http' ? f.status : undefined,
      failureIndex: n - 1,
      retries: req.retries ?? 0,
      retryAfter: f.headers['retry-after'],
      retryAfterMs: f.headers['retry-after-ms'],
      nowMs: Date.now(),
      waitedMs: waited,
      random,
      limits: req.retryLimits,
      // Asked only where a retry is on the table: the policy refuses every other status by itself.
      retryable:
        f.kind === 'http' && req.isRetryable && f.status !== undefined && RETRY_STATUSES.has(f.status) ? req.isRetryable(f) : undefined,
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
