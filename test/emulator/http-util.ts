/** Small helpers shared by the emulator's handlers: the request context, JSON/error replies, abortable sleep. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { EmulatorState, LoggedRequest } from './types.js';

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Everything a handler needs about one request. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  state: EmulatorState;
  entry: LoggedRequest;
  method: string;
  /** Path without query. */
  pathname: string;
  query: URLSearchParams;
  body: string;
  /** Aborted when the connection closes or the emulator shuts down. */
  signal: AbortSignal;
}

/** Wait ms; resolves false (early) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Write a complete response with a fixed content-length. */
export function send(ctx: Ctx, status: number, headers: Record<string, string>, body: string | Buffer = ''): void {
  const { res } = ctx;
  if (res.headersSent || res.destroyed) return;
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
  res.end(buf);
}

/** Reply with a JSON body. */
export function sendJson(ctx: Ctx, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(ctx, status, { 'content-type': 'application/json', ...headers }, JSON.stringify(value));
}

/** Reply with the ModelSwitch error envelope {"error":{"message","type","code"}}. */
export function sendError(
  ctx: Ctx,
  status: number,
  message: string,
  type: string,
  code: string,
  headers: Record<string, string> = {},
): void {
  sendJson(ctx, status, { error: { message, type, code } }, headers);
}

/** Parse a JSON body; undefined (after sending a 400) when it is not a JSON object. */
export function parseJsonObject(ctx: Ctx): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(ctx.body);
  } catch {
    sendError(ctx, 400, 'Invalid JSON in request body', 'invalid_request_error', 'invalid_json');
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    sendError(ctx, 400, 'Request body must be a JSON object', 'invalid_request_error', 'invalid_request');
    return undefined;
  }
  return value as Record<string, unknown>;
}

/** 404 in the envelope for a path the API does not have. */
export function notFound(ctx: Ctx): void {
  sendError(ctx, 404, `Not found: ${ctx.method} ${ctx.pathname}`, 'invalid_request_error', 'not_found');
}

/** 405 for a known path with another method. */
export function methodNotAllowed(ctx: Ctx, allow: string[]): void {
  sendError(ctx, 405, `Method ${ctx.method} is not allowed on ${ctx.pathname}`, 'invalid_request_error', 'method_not_allowed', {
    allow: allow.join(', '),
  });
}

/** Read the whole request body as text; undefined when the connection died first. */
export function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(undefined));
    req.on('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

/** Write to a response honouring backpressure; false when the connection went away. */
export async function writeChunk(res: ServerResponse, chunk: string | Buffer, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return false;
  if (res.write(chunk)) return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => (): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
