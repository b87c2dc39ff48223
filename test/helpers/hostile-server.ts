/**
 * A hostile HTTP server on 127.0.0.1 for fuzz and attack tests: it speaks raw TCP, so it can send
 * what a well-behaved server library refuses to (invalid UTF-8 in headers, half a status line, a
 * content-length that lies, a reset mid-body, headers that never come).
 *
 * Each request is answered by the spec registered for the first path segment of its URL, so one
 * server serves many concurrent CLI runs: give each run `--base-url http://127.0.0.1:PORT/<case>`
 * and register the case with `serve(case, spec)`. A path with no registered case gets `fallback`.
 */
import net, { type AddressInfo, type Socket } from 'node:net';

/** How to answer one request. Data only, so that fast-check can generate it and print it. */
export type HostileSpec =
  | {
      kind: 'respond';
      status: number;
      /** Raw header lines; a Buffer value is written as-is (invalid UTF-8 allowed). */
      headers?: ReadonlyArray<readonly [string, string | Buffer]>;
      body?: string | Buffer | { fill: string; bytes: number };
      /** exact (default): a true content-length; none: close-delimited; chunked; lie: claims more than it sends, then closes. */
      framing?: 'exact' | 'none' | 'chunked' | 'lie';
      reason?: string;
    }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** Sends part of a status line / header block, then nothing. */
  | { kind: 'partialHeaders'; text: string }
  /** TCP RST before any answer. */
  | { kind: 'reset' }
  /** Closes the socket cleanly before any answer. */
  | { kind: 'close' }
  /** Headers with a content-length of `total`, `bytes` of body, then RST. */
  | { kind: 'resetMidBody'; status: number; total: number; bytes: number; contentType?: string }
  /** Headers at once, then the body a few bytes every `delayMs` (ends when done or the client leaves). */
  | { kind: 'drip'; status: number; body: string; chunkBytes: number; delayMs: number; contentType?: string }
  /** Bytes that are not HTTP at all. */
  | { kind: 'garbage'; bytes: Buffer };

/** A request as it arrived. */
export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  at: number;
}

export interface HostileServer {
  url: string;
  port: number;
  requests: HostileRequest[];
  /** Registers the answer for requests under /<name>/. */
  serve(name: string, spec: HostileSpec): void;
  /** The answer for paths with no registered case. */
  fallback: HostileSpec;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Found',
  401: 'Unauthorized',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

function bodyBuffer(body: HostileSpec & { kind: 'respond' }): Buffer {
  const b = body.body;
  if (b === undefined) return Buffer.alloc(0);
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  if (Buffer.isBuffer(b)) return b;
  return Buffer.alloc(b.bytes, b.fill || 'x');
}

function headerBlock(status: number, reason: string | undefined, lines: ReadonlyArray<readonly [string, string | Buffer]>): Buffer {
  const parts: Buffer[] = [Buffer.from(`HTTP/1.1 ${status} ${reason ?? REASONS[status] ?? 'Status'}\r\n`, 'latin1')];
  for (const [name, value] of lines)
    parts.push(Buffer.from(`${name}: `, 'latin1'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1'), Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** Writes, resolving false when the socket is gone; waits for drain so that 20 MB does not sit in memory. */
function write(sock: Socket, data: Buffer): Promise<boolean> {
  if (sock.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const ok = sock.write(data, (err) => {
      if (err) resolve(false);
    });
    if (ok) resolve(true);
    else {
      const done = () => {
        sock.off('drain', onDrain);
        sock.off('close', onClose);
      };
      const onDrain = () => (done(), resolve(true));
      const onClose = () => (done(), resolve(false));
      sock.once('drain', onDrain);
      sock.once('close', onClose);
    }
  });
}

const sleep = (ms: number, sock: Socket) =>
  new Promise<boolean>((resolve) => {
    if (sock.destroyed) return resolve(false);
    const t = setTimeout(() => (sock.off('close', onClose), resolve(true)), ms);
    const onClose = () => (clearTimeout(t), resolve(false));
    sock.once('close', onClose);
  });

function reset(sock: Socket): void {
  if (typeof sock.resetAndDestroy === 'function') sock.resetAndDestroy();
  else sock.destroy();
}

async function play(sock: Socket, spec: HostileSpec): Promise<void> {
  switch (spec.kind) {
    case 'hang':
      return;
    case 'partialHeaders':
      await write(sock, Buffer.from(spec.text, 'latin1'));
      return;
    case 'reset':
      reset(sock);
      return;
    case 'close':
      sock.end();
      return;
    case 'garbage':
      await write(sock, spec.bytes);
      sock.end();
      return;
    case 'resetMidBody': {
      const head = headerBlock(spec.status, undefined, [
        ['content-type', spec.contentType ?? 'application/json'],
        ['content-length', String(spec.total)],
      ]);
      const body = Buffer.alloc(Math.min(spec.bytes, Math.max(0, spec.total - 1)), '{');
      if (await write(sock, Buffer.concat([head, body]))) setTimeout(() => reset(sock), 20);
      return;
    }
    case 'drip': {
      const body = Buffer.from(spec.body, 'utf8');
      const head = headerBlock(spec.status, undefined, [
        ['content-type', spec.contentType ?? 'application/json'],
        ['content-length', String(body.length)],
      ]);
      if (!(await write(sock, head))) return;
      for (let off = 0; off < body.length; off += spec.chunkBytes) {
        if (off > 0 && !(await sleep(spec.delayMs, sock))) return;
        if (!(await write(sock, body.subarray(off, off + spec.chunkBytes)))) return;
      }
      sock.end();
      return;
    }
    case 'respond': {
      const body = bodyBuffer(spec);
      const framing = spec.framing ?? 'exact';
      const lines = [...(spec.headers ?? [])];
      if (framing === 'exact') lines.push(['content-length', String(body.length)]);
      if (framing === 'lie') lines.push(['content-length', String(body.length + 1000)]);
      if (framing === 'chunked') lines.push(['transfer-encoding', 'chunked']);
      lines.push(['connection', 'close']);
      if (!(await write(sock, headerBlock(spec.status, spec.reason, lines)))) return;
      if (framing === 'chunked') {
        for (let off = 0; off < body.length; off += 64 * 1024) {
          const part = body.subarray(off, off + 64 * 1024);
          if (!(await write(sock, Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')])))) return;
        }
        await write(sock, Buffer.from('0\r\n\r\n'));
      } else {
        for (let off = 0; off < body.length; off += 256 * 1024) {
          if (!(await write(sock, body.subarray(off, off + 256 * 1024)))) return;
        }
      }
      if (framing === 'lie') setTimeout(() => reset(sock), 20);
      else sock.end();
      return;
    }
  }
}

/** Starts the server on 127.0.0.1 (a free port). */
export async function startHostileServer(fallback: HostileSpec = { kind: 'hang' }): Promise<HostileServer> {
  const cases = new Map<string, HostileSpec>();
  const requests: HostileRequest[] = [];
  const sockets = new Set<Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 64 * 1024) sock.destroy();
        return;
      }
      sock.off('data', onData);
      sock.on('data', () => {}); // drain any request body
      const [requestLine = '', ...lines] = head.subarray(0, end).toString('latin1').split('\r\n');
      const [method = '', path = ''] = requestLine.split(' ');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      requests.push({ method, path, headers, at: Date.now() });
      const name = /^\/([^/?]+)/.exec(path)?.[1] ?? '';
      void play(sock, cases.get(name) ?? api.fallback).catch(() => sock.destroy());
    };
    sock.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const api: HostileServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    fallback,
    serve: (name, spec) => void cases.set(name, spec),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return api;
}

/** A loopback port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
