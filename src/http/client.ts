import type { Dispatcher, buildConnector as BuildConnector } from 'undici';
import type { Agent as HttpAgent, IncomingHttpHeaders } from 'node:http';
import type { Attempt, Failure, Timings } from '../core/types.js';
import { InterruptedError } from '../core/errors.js';
import { decideRetry, RETRY_STATUSES, type RetryLimits } from './retry.js';
import { networkCodeOf, innermostMessage } from './network-error.js';
import { proxyFor } from './proxy.js';
import { toFailure } from './failure.js';

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
/**
 * What is read of a success body at most: reading it takes about three times its size in memory (the
 * chunks, the text, its redacted copy), and peak memory stays under 150 MiB whatever the server sends.
 * A streamed body (--stream) is not held, so it has no cap.
 */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface ConnTiming { origin: string; startedAt: number; dnsMs?: number; connectMs?: number; tlsMs?: number; claimed: boolean }

/** Connection phase timings recorded by the connector, claimed by the attempt that caused them. */
const connections: ConnTiming[] = [];

/**
 * Two transports, one contract. A request that goes straight to its host uses Node's own `node:http` /
 * `node:https`: their parser is built into Node, so nothing is loaded or compiled for it, where undici
 * costs ~25 ms of module evaluation and WebAssembly compile in every short-lived process (bench/). A request
 * through a proxy uses undici's ProxyAgent (CONNECT tunnels, proxy credentials), loaded only then. Which
 * one applies is decided once, by proxyFor(), the same function doctor's proxy check reports.
 */
let proxyDispatcher: { key: string; dispatcher: Dispatcher } | undefined;
const agents: { http?: HttpAgent; https?: HttpAgent } = {};

/** The slim undici (see src/vendor/undici-slim.cjs); a CommonJS module, so its exports are its default. */
async function loadUndici(): Promise<typeof import('../vendor/undici-slim.cjs')> {
  const mod = (await import('../vendor/undici-slim.cjs')) as typeof import('../vendor/undici-slim.cjs') & { default?: typeof import('../vendor/undici-slim.cjs') };
  return mod.default ?? mod;
}

/** undici's ProxyAgent for `proxyUrl`, with a connector that records DNS, TCP and TLS timings. */
async function getProxyDispatcher(proxyUrl: string, connectTimeoutMs: number): Promise<Dispatcher> {
  if (proxyDispatcher?.key === proxyUrl) return proxyDispatcher.dispatcher;
  const { ProxyAgent, buildConnector } = await loadUndici();
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
  const dispatcher = new ProxyAgent({ uri: proxyUrl, connect, keepAliveTimeout: 4_000 });
  proxyDispatcher = { key: proxyUrl, dispatcher };
  return dispatcher;
}

/** Closes every connection the client keeps, so that no socket keeps the process alive. */
export async function closeDefaultDispatcher(): Promise<void> {
  for (const k of ['http', 'https'] as const) {
    agents[k]?.destroy();
    agents[k] = undefined;
  }
  const d = proxyDispatcher?.dispatcher;
  proxyDispatcher = undefined;
  if (d) await d.destroy().catch(() => {});
}

/** An answer's status line and headers, with its body still to come. */
interface Opened {
  status: number;
  headers: Record<string, string>;
  body: AsyncIterable<Buffer>;
  /** Stops reading and drops the connection. */
  destroy(): void;
  /** DNS, TCP and TLS timings of a connection opened for this request, from the request's start. */
  timings: Partial<Timings>;
}

interface OpenInit {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  timeoutMs: number;
}

/**
 * The error that ended a body. Node's response stream says only "aborted" (ECONNRESET) however the
 * body ended: when the parser rejected the body (a bad chunk size, say), the request got that error,
 * which says more; otherwise the connection closed early, and the message says so.
 */
function bodyError(e: unknown, parserError: Error | undefined): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err?.code !== 'ECONNRESET' || err.message !== 'aborted') return e;
  if (parserError) return parserError;
  return Object.assign(new Error('the connection closed before the whole body came'), { code: 'ECONNRESET' });
}

async function* readBody(res: AsyncIterable<Buffer>, parserError: () => Error | undefined): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) yield chunk;
  } catch (e) {
    throw bodyError(e, parserError());
  }
}

/**
 * The body as it was meant to be read: a gzip, deflate or brotli body (which apidoctor never asks for,
 * but a server or proxy may send anyway) decoded as it streams, so the size caps count decoded bytes and
 * a decompression bomb stops at the cap, never in memory. Anything else passes through as it came.
 */
function decodedBody(body: AsyncIterable<Buffer>, encoding: string | undefined): AsyncIterable<Buffer> {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc !== 'gzip' && enc !== 'x-gzip' && enc !== 'deflate' && enc !== 'br') return body;
  const zlib = process.getBuiltinModule('node:zlib');
  const { Readable } = process.getBuiltinModule('node:stream');
  // Unzip reads both gzip and zlib-wrapped deflate; a 64 KiB output chunk keeps each step small.
  const decoder = enc === 'br' ? zlib.createBrotliDecompress({ chunkSize: 64 * 1024 }) : zlib.createUnzip({ chunkSize: 64 * 1024 });
  const source = Readable.from(body);
  source.on('error', (e) => decoder.destroy(e));
  source.pipe(decoder);
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for await (const chunk of decoder) yield chunk as Buffer;
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (typeof err?.code === 'string' && err.code.startsWith('Z_')) {
          throw Object.assign(new Error(`the body says it is ${enc}-encoded but could not be decoded (${err.message})`), { code: 'ERR_BODY_DECODING' });
        }
        throw e;
      } finally {
        source.destroy();
        decoder.destroy();
      }
    },
  };
}

/**
 * A full garbage collection, to be run after every few MiB of a long body. Every chunk of a body is a
 * buffer outside V8's heap, and V8 lets such garbage grow by about 64 MiB before it collects: reading a
 * 16 MiB body could then take its reader past 200 MiB. Collecting as it goes keeps peak memory near the
 * body's own size. The function is V8's `gc`, exposed for this once (a no-op when it cannot be).
 */
let gcFn: (() => void) | undefined;
function collectGarbage(): void {
  if (!gcFn) {
    try {
      process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
      gcFn = process.getBuiltinModule('node:vm').runInNewContext('gc') as () => void;
    } catch {
      gcFn = () => {};
    }
  }
  gcFn();
}
const GC_EVERY_BYTES = 4 * 1024 * 1024;

/** Response headers allowed in all (Node's default is 16 KiB; a CDN's cookies can come close). */
const MAX_HEADER_BYTES = 64 * 1024;

/** Straight to the host, over Node's own http/https, with one keep-alive agent per scheme. */
async function openDirect(url: URL, init: OpenInit): Promise<Opened> {
  const tls = url.protocol === 'https:';
  // getBuiltinModule, not import(): in dist/'s CommonJS an import() would start Node's ES module loader.
  const mod = tls ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
  const agent = tls ? (agents.https ??= new mod.Agent({ keepAlive: true })) : (agents.http ??= new mod.Agent({ keepAlive: true }));
  const startedAt = performance.now();
  const timings: Partial<Timings> = {};
  const since = () => Math.round(performance.now() - startedAt);
  return new Promise<Opened>((resolve, reject) => {
    let settled = false;
    let parserError: Error | undefined;
    const req = mod.request(url, { method: init.method, headers: init.headers, agent, signal: init.signal, maxHeaderSize: MAX_HEADER_BYTES });
    // Before the answer, an error is the request's outcome. After it, the body's reader sees the end
    // of the stream; a parser error kept here tells it why (bodyError).
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (!settled) {
        settled = true;
        reject(e);
      } else if (typeof e?.code === 'string' && e.code.startsWith('HPE_')) {
        parserError = e;
      }
    });
    req.once('socket', (socket) => {
      if (!socket.connecting) return; // a kept-alive connection: nothing to time
      socket.once('lookup', () => (timings.dnsMs = since()));
      socket.once('connect', () => (timings.connectMs = since()));
      socket.once('secureConnect', () => (timings.tlsMs = since()));
    });
    // A protocol switch nobody asked for, or an informational (or impossible) status as the final
    // answer: no HTTP client can read on from there (llhttp, under undici, rejects these too).
    const notFinal = (status: number | undefined) =>
      Object.assign(
        new Error(`the server answered ${status} (${status !== undefined && status >= 100 ? 'an informational status' : 'not an HTTP status'}) where the final answer was due`),
        { code: 'HPE_INVALID_STATUS' },
      );
    req.once('upgrade', (res, socket) => {
      socket.destroy();
      settled = true;
      reject(notFinal(res.statusCode));
    });
    req.once('response', (res) => {
      settled = true;
      if ((res.statusCode ?? 0) < 200) {
        res.destroy();
        return reject(notFinal(res.statusCode));
      }
      resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body: readBody(res, () => parserError), destroy: () => res.destroy(), timings });
    });
    req.end(init.body);
  });
}

/** Through an undici dispatcher: a proxy's, or one a caller gave. */
async function openWith(dispatcher: Dispatcher, url: URL, init: OpenInit): Promise<Opened> {
  const { request } = await loadUndici();
  const startedAt = performance.now();
  const res = await request(url, {
    method: init.method as Dispatcher.HttpMethod,
    headers: init.headers,
    body: init.body,
    dispatcher,
    signal: init.signal,
    headersTimeout: init.timeoutMs,
    bodyTimeout: init.timeoutMs,
  });
  return {
    status: res.statusCode,
    headers: flattenHeaders(res.headers),
    body: res.body as AsyncIterable<Buffer>,
    destroy: () => res.body.destroy(),
    timings: claimConnection(url, startedAt),
  };
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

function flattenHeaders(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string> {
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
      const text = () => (streaming ? parts.join('') : Buffer.concat(chunks, bytes).toString('utf8'));
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
          const room = cap - bytes;
          if (chunk.length > room) {
            if (room > 0) chunks.push(chunk.subarray(0, room));
            bytes += Math.max(0, room);
            truncated = true;
            break;
          }
          if (Math.floor((bytes + chunk.length) / GC_EVERY_BYTES) > Math.floor(bytes / GC_EVERY_BYTES)) collectGarbage();
          bytes += chunk.length;
          chunks.push(chunk);
        }
        if (streaming) parts.push(decoder.decode());
      } catch (e) {
        if (deps.signal?.aborted) throw InterruptedError.from(deps.signal);
        // The body broke off after the headers: a cut stream, a reset mid-body, or a stalled body. A failure keeps
        // at most an error body's worth of it (a success body broken off may be read up to the larger success cap).
        const errorCap = req.maxErrorBytes ?? MAX_ERROR_BYTES;
        const whole = streaming ? Buffer.from(text(), 'utf8') : Buffer.concat(chunks, bytes);
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
          networkCode: timedOut ? 'UND_ERR_BODY_TIMEOUT' : networkCodeOf(e) ?? 'ECONNRESET',
          networkMessage: timedOut ? `the body stalled for ${req.timeoutMs} ms after the headers came` : innermostMessage(e),
          streamCut: streaming ? true : undefined,
        });
      }
      if (truncated) res.destroy();
      if (!failure) {
        const body = text();
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
      retryable: f.kind === 'http' && req.isRetryable && f.status !== undefined && RETRY_STATUSES.has(f.status) ? req.isRetryable(f) : undefined,
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
