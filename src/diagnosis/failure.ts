/** Failures from bodies: filling a client's Failure from its body, and reading saved responses for `explain`. */
import type { Failure } from '../core/types.js';
import { parseBody } from './envelope.js';
import { toFailure } from '../http/failure.js';
import { statusLike } from './json-envelope.js';
import { parseJson } from '../core/json-depth.js';

/** A response as saved by a person or a tool: any part may be missing. */
export interface SavedResponse {
  status?: number;
  headers: Record<string, string>;
  body: string;
}

/** Fills errorType, code, message and requestId from the body, keeping whatever the client already set. */
export function fillFromBody(f: Failure): Failure {
  if (f.body === undefined && Object.keys(f.headers).length === 0) return f;
  const p = parseBody(f.body, f.headers);
  return {
    ...f,
    errorType: f.errorType ?? p.errorType,
    code: f.code ?? p.code,
    message: f.message ?? p.message,
    requestId: f.requestId ?? p.requestId,
  };
}

/**
 * A Failure from a saved response (`apidoctor explain`). A 2xx SSE body becomes a 'stream' failure;
 * a 2xx body that is not JSON is marked unexpectedBody 'not-json'.
 */
export function failureFromSaved(saved: { status?: number; headers?: Record<string, string>; body?: string }): Failure {
  return readSaved(saved).failure;
}

/** A bare JSON number, string, true, false or null: JSON that `call` accepts, though not an envelope. */
function isJsonScalar(body: string): boolean {
  const t = body.trim();
  if (!/^(-?\d|"|true$|false$|null$)/.test(t)) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/**
 * A saved response read as `call` would have read it: the failure it stands for, and whether it is
 * in fact healthy (a success whose body is what the API promises: JSON with no error envelope, or an
 * event stream that finished with no error event), which `explain` reports as nothing to diagnose.
 */
export function readSaved(saved: { status?: number; headers?: Record<string, string>; body?: string }): {
  failure: Failure;
  healthy: boolean;
} {
  const body = saved.body ?? '';
  const base = toFailure({ kind: 'http', headers: saved.headers ?? {}, body, bodyBytes: Buffer.byteLength(body, 'utf8') });
  const p = parseBody(body, base.headers);
  const status = saved.status ?? p.status;
  const f: Failure = { ...base, status };
  const success = status !== undefined && status >= 200 && status < 300;
  if (success && p.format === 'sse') {
    f.kind = 'stream';
    f.streamCut = !p.sseDone;
  } else if (success && !p.hasError && (p.format !== 'json' || p.malformedJson)) {
    f.unexpectedBody = 'not-json';
  }
  const healthy =
    success &&
    (p.format === 'sse' ? !!p.sseDone && !p.sseError : p.format === 'json' ? !p.malformedJson && !p.hasError : isJsonScalar(body));
  return { failure: fillFromBody(f), healthy };
}

const STATUS_LINE = /^HTTP\/\d(?:\.\d)?[ \t]+(\d{3})\b[^\r\n]*/;

/** Reads `curl -i` output: status line, headers, blank line, body; the last header block wins. */
function readCurlInclude(text: string): SavedResponse {
  let pos = 0;
  let status: number | undefined;
  let headers: Record<string, string> = {};
  for (let block = 0; block < 20; block++) {
    const m = STATUS_LINE.exec(text.slice(pos, pos + 512));
    if (!m) break;
    status = Number(m[1]);
    headers = {};
    pos += m[0].length;
    pos += text.startsWith('\r\n', pos) ? 2 : text.startsWith('\n', pos) ? 1 : 0;
    // header lines up to the blank line
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const end = nl === -1 ? text.length : nl;
      const line = text.slice(pos, end).replace(/\r$/, '');
      pos = nl === -1 ? text.length : nl + 1;
      if (line === '') break;
      const colon = line.indexOf(':');
      if (colon > 0) {
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] !== undefined ? `${headers[name]}, ${value}` : value;
      }
    }
    // 100 Continue, or a proxy's "200 Connection established", is followed by the real block
    let next = pos;
    while (text.startsWith('\r\n', next) || text.startsWith('\n', next)) next += text.startsWith('\r\n', next) ? 2 : 1;
    if (!STATUS_LINE.test(text.slice(next, next + 512))) break;
    pos = next;
  }
  return { status, headers, body: text.slice(pos) };
}

/** `curl -v` output ("< HTTP/1.1 …", "< header", "> request", "* info") → the `curl -i` form. */
function fromCurlVerbose(text: string): string | undefined {
  if (!/^< HTTP\/\d/m.test(text.slice(0, 64 * 1024))) return undefined;
  const lines = text.split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    if (/^[<]( |\r?$)/.test(line)) kept.push(line.slice(2));
    else if (/^[>*{}]( |\r?$)/.test(line)) continue;
    else kept.push(line);
  }
  const joined = kept.join('\n');
  const start = joined.search(/^HTTP\/\d/m);
  return start === -1 ? undefined : joined.slice(start);
}

function headersFrom(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val === 'string' || typeof val === 'number') out[k.toLowerCase()] = String(val);
    else if (Array.isArray(val)) out[k.toLowerCase()] = val.map(String).join(', ');
  }
  return out;
}

/** A captured response of the error-samples shape {status, headers, body}. */
function readCaptured(text: string): SavedResponse | undefined {
  if (!text.startsWith('{') || !/"body"\s*:/.test(text)) return undefined;
  let o: unknown;
  try {
    o = parseJson(text);
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const r = o as Record<string, unknown>;
  const status = statusLike(r.status) ?? statusLike(r.statusCode);
  if (!('body' in r) || (status === undefined && (typeof r.headers !== 'object' || r.headers === null))) return undefined;
  let body = '';
  if (typeof r.body === 'string') body = r.body;
  else if (r.body !== undefined && r.body !== null) {
    try {
      body = JSON.stringify(r.body);
    } catch {
      body = '';
    }
  }
  return { status, headers: headersFrom(r.headers), body };
}

/**
 * Reads what `explain` is given: a raw error body, `curl -i` (or `curl -v`) output, or a captured
 * `{status, headers, body}` JSON. An explicit status wins; otherwise the status line's, then one the body states.
 */
export function parseSavedResponse(text: string, opts: { status?: number } = {}): SavedResponse {
  const clean = text.replace(/^\uFEFF/, '');
  const lead = clean.trimStart();
  const verbose = /^HTTP\/\d/.test(lead) ? undefined : fromCurlVerbose(clean);
  const http = verbose ?? (/^HTTP\/\d/.test(lead) ? lead : undefined);
  const saved = http !== undefined ? readCurlInclude(http) : (readCaptured(lead) ?? { headers: {}, body: clean });
  const status = opts.status ?? saved.status ?? parseBody(saved.body, saved.headers).status;
  return { status, headers: saved.headers, body: saved.body };
}

/**
 * The host a dump says the request went to, where it shows one: curl -v's "> Host:" line or "* Connected to",
 * a request line with a full URL, or a captured {url} / {request: {url}}. Lower-cased, default ports dropped.
 */
/** The key a `curl -v` dump shows was sent (`> Authorization: Bearer …`), if it shows one. */
export function dumpKey(text: string): string | undefined {
  return /^>\s*authorization:[ \t]*bearer[ \t]+(\S+)/im.exec(text.slice(0, 64 * 1024))?.[1];
}

/** The path a `curl -v` dump shows was asked (`> GET /v1/models HTTP/1.1`), if it shows one. */
export function dumpPath(text: string): string | undefined {
  return /^>\s*(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/\S*)\s+HTTP\//m.exec(text.slice(0, 64 * 1024))?.[1];
}

export function dumpHost(text: string): string | undefined {
  const head = text.slice(0, 64 * 1024);
  const fromUrl = (u: string): string | undefined => {
    try {
      const url = new URL(u);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.host.toLowerCase() : undefined;
    } catch {
      return undefined;
    }
  };
  const host = /^>\s*host:\s*(\S+)\s*$/im.exec(head)?.[1];
  if (host) return host.toLowerCase().replace(/:(80|443)$/, '');
  const connected = /^\*\s+Connected to (\S+) \([^)]*\) port (\d+)/m.exec(head);
  if (connected?.[1])
    return connected[2] === '443' || connected[2] === '80' ? connected[1].toLowerCase() : `${connected[1].toLowerCase()}:${connected[2]}`;
  const requestLine = /^>?\s*(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (https?:\/\/\S+)/m.exec(head)?.[1];
  if (requestLine) return fromUrl(requestLine);
  const captured = /^\s*\{[\s\S]*?"url"\s*:\s*"(https?:\/\/[^"]+)"/.exec(head)?.[1];
  return captured ? fromUrl(captured) : undefined;
}
