/**
 * The two transports under send() (src/http/client.ts): Node's own http/https straight to the host, or undici's
 * ProxyAgent through a proxy; the body's decoding as it streams; connection timings. One contract: open() gives the
 * status, headers and a body to read.
 */
import type { Dispatcher, buildConnector as BuildConnector } from 'undici';
import type { Agent as HttpAgent, IncomingHttpHeaders } from 'node:http';
import type { Timings } from '../core/types.js';
import { redactor } from '../core/redact.js';
import { nowMs } from '../core/clock.js';

/** Errors that happen before any byte of an answer: with a proxy, they concern the proxy. */
export const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

interface ConnTiming {
  origin: string;
  startedAt: number;
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  claimed: boolean;
}

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
  const mod = (await import('../vendor/undici-slim.cjs')) as typeof import('../vendor/undici-slim.cjs') & {
    default?: typeof import('../vendor/undici-slim.cjs');
  };
  return mod.default ?? mod;
}

/** undici's ProxyAgent for `proxyUrl`, with a connector that records DNS, TCP and TLS timings. */
export async function getProxyDispatcher(proxyUrl: string, connectTimeoutMs: number): Promise<Dispatcher> {
  if (proxyDispatcher?.key === proxyUrl) return proxyDispatcher.dispatcher;
  const { ProxyAgent, buildConnector } = await loadUndici();
  const base = buildConnector({ timeout: connectTimeoutMs });
  const connect: BuildConnector.connector = (opts, cb) => {
    const rec: ConnTiming = { origin: `${opts.protocol}//${opts.hostname}:${opts.port}`, startedAt: nowMs(), claimed: false };
    connections.push(rec);
    if (connections.length > 64) connections.shift();
    const socket = base(opts, cb) as unknown as NodeJS.EventEmitter | undefined;
    socket?.once?.('lookup', () => (rec.dnsMs = nowMs() - rec.startedAt));
    socket?.once?.('connect', () => (rec.connectMs = nowMs() - rec.startedAt));
    socket?.once?.('secureConnect', () => (rec.tlsMs = nowMs() - rec.startedAt));
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
export interface Opened {
  status: number;
  headers: Record<string, string>;
  body: AsyncIterable<Buffer>;
  /** Stops reading and drops the connection. */
  destroy(): void;
  /** DNS, TCP and TLS timings of a connection opened for this request, from the request's start. */
  timings: Partial<Timings>;
}

export interface OpenInit {
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
export function decodedBody(body: AsyncIterable<Buffer>, encoding: string | undefined): AsyncIterable<Buffer> {
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
          throw Object.assign(new Error(`the body says it is ${enc}-encoded but could not be decoded (${err.message})`), {
            code: 'ERR_BODY_DECODING',
          });
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
 * A garbage collection (a full one unless `minor`: the young generation only), to be run after every few MiB
 * of a long body. Every chunk of a body is a buffer outside V8's heap, and V8 lets such garbage grow by about
 * 64 MiB before it collects: reading a 16 MiB body could then take its reader past 200 MiB. Collecting as it
 * goes keeps peak memory near the body's own size. The function is V8's `gc`, exposed for this once (a no-op
 * when it cannot be).
 */
let gcFn: ((options?: { type: 'minor' | 'major' }) => void) | undefined;
export function collectGarbage(type: 'minor' | 'major' = 'major'): void {
  if (!gcFn) {
    try {
      process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
      gcFn = process.getBuiltinModule('node:vm').runInNewContext('gc') as typeof gcFn;
    } catch {
      gcFn = () => {};
    }
  }
  gcFn!({ type });
}
const GC_EVERY_BYTES = 4 * 1024 * 1024;

/**
 * Collects garbage when a body read from `bytes` on to `bytes + more` passes another `every` bytes: by default a
 * full collection every GC_EVERY_BYTES; `minor` for the pieces a sink has read (each a young buffer outside the
 * heap), whose memory the next pieces then reuse rather than touch pages the process never had.
 */
export function collectEvery(bytes: number, more: number, every = GC_EVERY_BYTES, type: 'minor' | 'major' = 'major'): void {
  if (Math.floor((bytes + more) / every) > Math.floor(bytes / every)) collectGarbage(type);
}

/** Response headers allowed in all (Node's default is 16 KiB; a CDN's cookies can come close). */
const MAX_HEADER_BYTES = 64 * 1024;

/** Straight to the host, over Node's own http/https, with one keep-alive agent per scheme. */
export async function openDirect(url: URL, init: OpenInit): Promise<Opened> {
  const tls = url.protocol === 'https:';
  // getBuiltinModule, not import(): in dist/'s CommonJS an import() would start Node's ES module loader.
  const mod = tls ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
  const agent = tls ? (agents.https ??= new mod.Agent({ keepAlive: true })) : (agents.http ??= new mod.Agent({ keepAlive: true }));
  const startedAt = nowMs();
  const timings: Partial<Timings> = {};
  const since = () => Math.round(nowMs() - startedAt);
  return new Promise<Opened>((resolve, reject) => {
    let settled = false;
    let parserError: Error | undefined;
    const req = mod.request(url, {
      method: init.method,
      headers: init.headers,
      agent,
      signal: init.signal,
      maxHeaderSize: MAX_HEADER_BYTES,
    });
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
        new Error(
          `the server answered ${status} (${status !== undefined && status >= 100 ? 'an informational status' : 'not an HTTP status'}) where the final answer was due`,
        ),
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
      resolve({
        status: res.statusCode ?? 0,
        headers: flattenHeaders(res.headers),
        body: readBody(res, () => parserError),
        destroy: () => res.destroy(),
        timings,
      });
    });
    // The first request is on its way: what the output will need (the redactor's forms and patterns) is made
    // while its answer is awaited.
    if (!prepared) req.once('finish', () => setImmediate(() => ((prepared = true), redactor.prepare())));
    req.end(init.body);
  });
}
let prepared = false;

/** Through an undici dispatcher: a proxy's, or one a caller gave. */
export async function openWith(dispatcher: Dispatcher, url: URL, init: OpenInit): Promise<Opened> {
  const { request } = await loadUndici();
  const startedAt = nowMs();
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
