/** Picks the injected failure for a request and plays it on the connection. */
import { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { type Ctx, now, send, sleep, writeChunk } from './http-util.js';
import { contentWords, sseChunk } from './routes-v1.js';
import type { EmulatorState, FailureRule, FailureSpec } from './types.js';

/** Uses per rule object (rules may be shared frozen presets, so they are never mutated). */
const used = new WeakMap<FailureRule, number>();

function matches(rule: FailureRule, method: string, pathname: string, fullPath: string): boolean {
  const m = rule.match;
  if (!m) return true;
  if (m.method !== undefined && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m.path === undefined) return true;
  if (typeof m.path === 'string') {
    if (m.path.endsWith('*')) return pathname.startsWith(m.path.slice(0, -1));
    return m.path === pathname || m.path === fullPath;
  }
  m.path.lastIndex = 0;
  return m.path.test(fullPath);
}

/** The first matching rule in state.failures, counting one use and dropping it once its `times` are spent. */
export function takeFailure(state: EmulatorState, method: string, pathname: string, fullPath: string): FailureRule | undefined {
  for (let i = 0; i < state.failures.length; i++) {
    const rule = state.failures[i];
    if (rule === undefined || !matches(rule, method, pathname, fullPath)) continue;
    const times = rule.times ?? Infinity;
    const n = (used.get(rule) ?? 0) + 1;
    used.set(rule, n);
    if (n >= times) state.failures.splice(i, 1);
    if (n > times) {
      i--; // times <= 0: a spent rule, now removed
      continue;
    }
    return rule;
  }
  return undefined;
}

/** Reset the TCP connection (RST) when the socket allows it, else just destroy it. */
function resetSocket(socket: Socket): void {
  try {
    if (!(socket instanceof TLSSocket) && typeof socket.resetAndDestroy === 'function') {
      socket.resetAndDestroy();
      return;
    }
  } catch {
    // fall through to a plain destroy
  }
  socket.destroy();
}

function guessType(body: string): string {
  const t = body.trimStart();
  if (t.startsWith('<')) return 'text/html';
  if (t.startsWith('{') || t.startsWith('[')) return 'application/json';
  return 'text/plain';
}

const DEFAULT_PARTIAL_BODY = JSON.stringify({
  object: 'list',
  data: [
    { id: 'gpt-4o', object: 'model', owned_by: 'openai' },
    { id: 'gpt-4o-mini', object: 'model', owned_by: 'openai' },
  ],
});

function requestModel(ctx: Ctx): string {
  try {
    const v = JSON.parse(ctx.body) as { model?: unknown };
    if (typeof v.model === 'string') return v.model;
  } catch {
    // not JSON: use a default
  }
  return 'gpt-4o';
}

function startSse(ctx: Ctx): void {
  ctx.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  ctx.res.flushHeaders();
  ctx.entry.chunksWrittenAt = [];
}

async function writeEvent(ctx: Ctx, data: string): Promise<boolean> {
  const ok = await writeChunk(ctx.res, `data: ${data}\n\n`, ctx.signal);
  if (ok) ctx.entry.chunksWrittenAt?.push(now());
  return ok;
}

/** Write `count` content chunks of a fake completion, spaced by streamIntervalMs; false if the client left. */
async function writeContentChunks(ctx: Ctx, count: number): Promise<boolean> {
  const model = requestModel(ctx);
  const words = contentWords(ctx.state.completionText);
  const created = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    if (i > 0 && !(await sleep(ctx.state.streamIntervalMs, ctx.signal))) return false;
    const delta = i === 0 ? { role: 'assistant', content: words[0] ?? '' } : { content: words[i % Math.max(words.length, 1)] ?? '' };
    if (!(await writeEvent(ctx, JSON.stringify(sseChunk('chatcmpl-emu-cut', created, model, delta, null))))) return false;
  }
  return true;
}

/** Answer the request the way the failure spec says. */
export async function runFailure(ctx: Ctx, spec: FailureSpec): Promise<void> {
  const { res } = ctx;
  ctx.entry.injected = spec.kind ?? 'respond';
  switch (spec.kind) {
    case undefined:
    case 'respond': {
      const body =
        spec.body === undefined ? '' : typeof spec.body === 'string' || Buffer.isBuffer(spec.body) ? spec.body : JSON.stringify(spec.body);
      const headers: Record<string, string> = { ...spec.headers };
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type') && body.length > 0) {
        headers['content-type'] =
          typeof spec.body === 'object' && !Buffer.isBuffer(spec.body)
            ? 'application/json'
            : guessType(typeof body === 'string' ? body : body.subarray(0, 1024).toString());
      }
      send(ctx, spec.status, headers, body);
      return;
    }
    case 'hang':
      return; // the socket stays open until the client gives up or close() destroys it
    case 'reset':
      resetSocket(ctx.req.socket);
      return;
    case 'resetMidBody': {
      const full = Buffer.from(spec.body ?? DEFAULT_PARTIAL_BODY);
      const bytes = Math.max(0, Math.min(spec.bytes ?? 16, full.length - 1));
      res.writeHead(spec.status ?? 200, { 'content-type': 'application/json', ...spec.headers, 'content-length': String(full.length) });
      res.write(full.subarray(0, bytes), () => ctx.req.socket.destroy());
      return;
    }
    case 'drip': {
      const full = Buffer.from(spec.body);
      const step = Math.max(1, spec.chunkBytes ?? 4);
      res.writeHead(spec.status ?? 200, { 'content-type': 'application/json', ...spec.headers, 'content-length': String(full.length) });
      res.flushHeaders();
      for (let off = 0; off < full.length; off += step) {
        if (off > 0 && !(await sleep(spec.chunkDelayMs, ctx.signal))) return;
        if (!(await writeChunk(res, full.subarray(off, off + step), ctx.signal))) return;
      }
      res.end();
      return;
    }
    case 'huge': {
      const type = spec.contentType ?? 'application/json';
      const [head, tail] = type.includes('json')
        ? ['{"padding":"', '"}']
        : type.includes('html')
          ? ['<!DOCTYPE html><html><body>', '</body></html>']
          : ['', ''];
      const frame = head.length + tail.length <= spec.bytes;
      let left = spec.bytes - (frame ? head.length + tail.length : 0);
      res.writeHead(spec.status, { 'content-type': type, 'content-length': String(spec.bytes) });
      if (frame && !(await writeChunk(res, head, ctx.signal))) return;
      const block = Buffer.alloc(64 * 1024, 'x');
      while (left > 0) {
        const n = Math.min(left, block.length);
        if (!(await writeChunk(res, n === block.length ? block : block.subarray(0, n), ctx.signal))) return;
        left -= n;
      }
      res.end(frame ? tail : undefined);
      return;
    }
    case 'streamCut': {
      startSse(ctx);
      if (!(await writeContentChunks(ctx, spec.chunks ?? 2))) return;
      if (spec.abrupt) ctx.req.socket.destroy();
      else res.end();
      return;
    }
    case 'streamErrorEvent': {
      startSse(ctx);
      const n = spec.afterChunks ?? 0;
      if (n > 0 && !(await writeContentChunks(ctx, n))) return;
      if (n > 0 && !(await sleep(ctx.state.streamIntervalMs, ctx.signal))) return;
      const error = {
        error: {
          message: spec.message ?? 'The server had an error while processing your request. Sorry about that!',
          type: spec.errorType ?? 'server_error',
          param: null,
          code: null,
        },
      };
      if (!(await writeEvent(ctx, JSON.stringify(error)))) return;
      if (!(await sleep(ctx.state.streamIntervalMs, ctx.signal))) return;
      if (!(await writeEvent(ctx, '[DONE]'))) return;
      res.end();
      return;
    }
    case 'echoKey': {
      const auth = ctx.req.headers.authorization ?? '';
      const key = auth.replace(/^Bearer\s+/i, '') || '(none)';
      const body = {
        error: {
          message: `Incorrect API key provided: ${key}. Find your keys in Dashboard → API Keys.`,
          type: 'authentication_error',
          code: 'invalid_api_key',
        },
      };
      send(ctx, spec.status ?? 401, { 'content-type': 'application/json', 'x-echo-key': key }, JSON.stringify(body));
      return;
    }
    case 'redirect':
      send(ctx, spec.status, { location: spec.location });
      return;
  }
}
