/**
 * A ModelSwitch emulator: a real HTTP(S) server on 127.0.0.1 with the documented /v1 and /api
 * behaviour, a request log with timings, and injectable failures (see README.md beside this file).
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { runFailure, takeFailure } from './failures.js';
import { type Ctx, notFound, now, readBody, sendError, sleep } from './http-util.js';
import { PRESETS, type PresetName } from './presets.js';
import { handleApi } from './routes-api.js';
import { handleV1 } from './routes-v1.js';
import { defaultState } from './state.js';
import { TLS_CERT, TLS_EXPIRED_CERT, TLS_EXPIRED_KEY, TLS_KEY } from './tls.js';
import type { EmulatorOptions, EmulatorState, FailureRule, LoggedRequest } from './types.js';

export { KEYS, PREFIX_LENGTH, defaultState, publicKey } from './state.js';
export { PRESETS, type PresetName } from './presets.js';
export { TLS_CERT, TLS_KEY, TLS_EXPIRED_CERT, TLS_EXPIRED_KEY } from './tls.js';
export type * from './types.js';

/** A running emulator. */
export interface Emulator {
  /** 'http://127.0.0.1:PORT' (https:// with tls), no trailing slash: the root; clients append /v1 and /api. */
  url: string;
  port: number;
  /** Mutable: change balance, keys, failures… between requests. */
  state: EmulatorState;
  /** Every request received (control endpoints excluded), in arrival order. */
  requests: LoggedRequest[];
  /** Close the server and destroy open sockets (hanging requests included). */
  close(): Promise<void>;
  /** Clear the log and restore the state the emulator started with (times recomputed from now). */
  reset(): void;
}

/** Header values as single strings. */
function flatHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Start an emulator on 127.0.0.1 (port 0 = a free port). */
export async function startEmulator(opts: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const { port = 0, tls = false, onRequest, ...overrides } = opts;
  const freshState = (): EmulatorState => ({ ...defaultState(), ...structuredClone(overrides) });
  const state = freshState();
  const requests: LoggedRequest[] = [];
  const sockets = new Set<Socket>();
  const inFlight = new Set<AbortController>();
  /** Settle when each open response has closed, so the log is final once close() resolves. */
  const responsesClosed = new Set<Promise<void>>();
  let nextId = 1;
  let closed = false;

  const reset = (): void => {
    const fresh = freshState();
    for (const k of Object.keys(state)) delete (state as unknown as Record<string, unknown>)[k];
    Object.assign(state, fresh);
    requests.length = 0;
    nextId = 1;
  };

  /** Test-harness endpoints under /__emulator/: never logged, never delayed, never failed. */
  async function control(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const reply = (status: number, value: unknown): void => {
      const body = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    };
    const body = (await readBody(req)) ?? '';
    const json = (): Record<string, unknown> | undefined => {
      try {
        const v: unknown = JSON.parse(body);
        return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
      } catch {
        return undefined;
      }
    };
    const route = `${req.method ?? 'GET'} ${pathname}`;
    switch (route) {
      case 'GET /__emulator/requests':
        return reply(200, requests);
      case 'POST /__emulator/reset':
        reset();
        return reply(200, { ok: true });
      case 'GET /__emulator/state':
        return reply(200, state);
      case 'PATCH /__emulator/state': {
        const patch = json();
        const unknown = patch ? Object.keys(patch).filter((k) => !(k in state)) : [];
        if (!patch || unknown.length > 0)
          return reply(400, { error: `expected a JSON object of state fields; unknown: ${unknown.join(', ')}` });
        Object.assign(state, patch);
        return reply(200, { ok: true });
      }
      case 'POST /__emulator/failures': {
        // {"preset":"rateLimited","match":{"path":"/v1/models"},"times":1} or a full rule
        const rule = json();
        if (!rule) return reply(400, { error: 'expected a JSON failure rule' });
        const { preset, ...rest } = rule;
        if (preset !== undefined && !(typeof preset === 'string' && preset in PRESETS)) {
          return reply(400, { error: `unknown preset; one of ${Object.keys(PRESETS).join(', ')}` });
        }
        const spec = typeof preset === 'string' ? PRESETS[preset as PresetName] : {};
        state.failures.push({ ...structuredClone(spec), ...rest } as FailureRule);
        return reply(200, { ok: true, failures: state.failures.length });
      }
      case 'DELETE /__emulator/failures':
        state.failures.length = 0;
        return reply(200, { ok: true });
      default:
        return reply(404, { error: `unknown control route ${route}` });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/__emulator/')) return control(req, res, url.pathname);
    const method = req.method ?? 'GET';
    const path = url.pathname + url.search;
    const entry: LoggedRequest = { id: nextId++, method, path, headers: flatHeaders(req.headers), body: '', startedAt: now() };
    requests.push(entry);
    const ac = new AbortController();
    inFlight.add(ac);
    let markClosed = (): void => {};
    const closedP = new Promise<void>((resolve) => (markClosed = resolve));
    responsesClosed.add(closedP);
    res.on('close', () => {
      inFlight.delete(ac);
      responsesClosed.delete(closedP);
      markClosed();
      ac.abort();
      entry.finishedAt = now();
      entry.durationMs = entry.finishedAt - entry.startedAt;
      if (res.headersSent) entry.status = res.statusCode;
      if (!res.writableFinished) entry.aborted = true;
      onRequest?.(entry);
    });
    const body = await readBody(req);
    if (body === undefined) return;
    entry.body = body;
    const ctx: Ctx = { req, res, state, entry, method, pathname: url.pathname, query: url.searchParams, body, signal: ac.signal };
    try {
      const rule = takeFailure(state, method, url.pathname, path);
      if (!(await sleep(rule?.delayMs ?? state.delayMs, ac.signal))) return;
      if (rule?.applyFirst && (url.pathname === '/api' || url.pathname.startsWith('/api/'))) {
        // The route runs against a response that goes nowhere: its change to the state stays.
        const sink = {
          headersSent: false,
          destroyed: false,
          writeHead: () => sink,
          end: () => sink,
          setHeader: () => sink,
        } as unknown as ServerResponse;
        handleApi({ ...ctx, res: sink });
      }
      if (rule) await runFailure(ctx, rule);
      else if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) await handleV1(ctx);
      else if (url.pathname === '/api' || url.pathname.startsWith('/api/')) handleApi(ctx);
      else notFound(ctx);
    } catch (err) {
      console.error('[emulator] handler error:', err);
      if (!res.headersSent) sendError(ctx, 500, `Emulator error: ${String(err)}`, 'server_error', 'emulator_error');
      else res.destroy();
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => void handle(req, res);
  const server =
    tls === false
      ? http.createServer(listener)
      : https.createServer(
          tls === 'expired' ? { key: TLS_EXPIRED_KEY, cert: TLS_EXPIRED_CERT } : { key: TLS_KEY, cert: TLS_CERT },
          listener,
        );
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;

  return {
    url: `${tls === false ? 'http' : 'https'}://127.0.0.1:${actualPort}`,
    port: actualPort,
    state,
    requests,
    reset,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const ac of inFlight) ac.abort();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await done;
      await Promise.all(responsesClosed);
    },
  };
}
