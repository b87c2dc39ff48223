/**
 * Error objects as clients throw them (and as util.inspect prints them): openai and @anthropic-ai/sdk
 * (status, headers, error), the Vercel AI SDK's APICallError (statusCode, responseHeaders, responseBody),
 * axios (response.status/headers/data), a Node system error or fetch TypeError with a cause code, and a
 * plain {status, headers, body}. Only the response is read: never a request's headers or body (an axios
 * error carries the request's Authorization header, a Vercel error the prompt).
 */
import { statusLike } from '../diagnosis/json-envelope.js';
import { networkCodeOf } from '../http/network-error.js';

export interface ObjectParts {
  status?: number;
  statusFrom?: string;
  headers: Record<string, string>;
  body?: string;
  bodyFrom?: string;
  networkCode?: string;
  message?: string;
  name?: string;
  host?: string;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (v !== null && typeof v === 'object' ? (v as Rec) : undefined);

/** Headers from a Headers instance, a Map, an axios AxiosHeaders, [[k, v]] pairs or a plain record. */
export function headersOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: unknown, val: unknown): void => {
    if (typeof k !== 'string') return;
    if (typeof val === 'string' || typeof val === 'number') out[k.toLowerCase()] = String(val);
    else if (Array.isArray(val)) out[k.toLowerCase()] = val.map(String).join(', ');
  };
  try {
    if (!v || typeof v !== 'object') return out;
    const h = v as { forEach?: unknown; entries?: unknown; toJSON?: unknown };
    // (a plain object is not a Headers: asked first, as touching the global Headers loads fetch's implementation)
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null && typeof Headers !== 'undefined' && v instanceof Headers) {
      v.forEach((val, k) => put(k, val));
      return out;
    }
    if (typeof h.forEach === 'function' && !Array.isArray(v)) {
      // a Map, or another fetch implementation's Headers
      (h.forEach as (cb: (val: unknown, k: unknown) => void) => void).call(v, (val, k) => put(k, val));
      return out;
    }
    if (Array.isArray(v)) {
      for (const pair of v) if (Array.isArray(pair)) put(pair[0], pair[1]);
      return out;
    }
    const plain = typeof h.toJSON === 'function' ? (h.toJSON as () => unknown).call(v) : v;
    for (const [k, val] of Object.entries(rec(plain) ?? {})) put(k, val);
  } catch {
    // unreadable headers: none
  }
  return out;
}

function bodyText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

const NETWORK_CODE =
  /^(E[A-Z0-9_]{3,}|UND_ERR_\w+|ERR_(?!BAD_REQUEST|BAD_RESPONSE|CANCELED|BAD_OPTION)\w+|CERT_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_\w+|ABORT_ERR)$/;

/** The parts an error object (or a plain response record) holds. Never throws, never reads a request. */
export function readErrorObject(input: unknown): ObjectParts {
  const parts: ObjectParts = { headers: {} };
  const o = rec(input);
  if (!o) return parts;
  try {
    const response = rec(o.response);
    const ctor = rec(Object.getPrototypeOf(o))?.constructor as { name?: unknown } | undefined;
    const name =
      typeof o.name === 'string' && o.name !== 'Error'
        ? o.name
        : typeof ctor?.name === 'string' && ctor.name !== 'Object'
          ? ctor.name
          : undefined;
    parts.name = name;
    if (typeof o.message === 'string') parts.message = o.message;

    const tries: Array<[unknown, string]> = [
      [o.status, 'status'],
      [o.statusCode, 'statusCode'],
      [o.status_code, 'status_code'],
      [response?.status, 'response.status'],
      [response?.statusCode, 'response.statusCode'],
    ];
    for (const [v, from] of tries) {
      const s = statusLike(v);
      if (s !== undefined) {
        parts.status = s;
        parts.statusFrom = from;
        break;
      }
    }
    for (const [v, from] of [
      [o.responseHeaders, 'responseHeaders'],
      [response?.headers, 'response.headers'],
      [o.headers, 'headers'],
    ] as Array<[unknown, string]>) {
      if (v && typeof v === 'object') {
        parts.headers = headersOf(v);
        void from;
        break;
      }
    }
    // the body: Vercel's responseBody, axios' response.data, a plain body, the SDKs' parsed error
    const bodies: Array<[unknown, string]> = [
      [o.responseBody, 'responseBody'],
      [response?.data, 'response.data'],
      [response?.body, 'response.body'],
      [o.body, 'body'],
      [o.error, 'error'],
      [o.data, 'data'],
    ];
    for (const [v, from] of bodies) {
      if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) continue;
      let b = v;
      // openai-node's err.error is the body's `error` object ({message, type, code}); anthropic's the whole body
      if (from === 'error') {
        const e = rec(v);
        if (!e) continue;
        b = 'error' in e || e.type === 'error' ? e : { error: e };
      }
      parts.body = bodyText(b);
      parts.bodyFrom = from;
      if (parts.body !== undefined) break;
    }
    if (parts.status === undefined) {
      const code = networkCodeOf(o);
      if (code && NETWORK_CODE.test(code)) parts.networkCode = code;
    }
    const url = typeof o.url === 'string' ? o.url : typeof rec(o.config)?.url === 'string' ? (rec(o.config)!.url as string) : undefined;
    if (url) {
      try {
        parts.host = new URL(url, 'http://unknown.invalid').hostname || undefined;
        if (parts.host === 'unknown.invalid') parts.host = undefined;
      } catch {
        // not a URL
      }
    }
    if (!parts.host && typeof o.hostname === 'string') parts.host = o.hostname;
    if (!parts.host && typeof o.address === 'string') parts.host = o.address;
  } catch {
    // a getter that throws, a revoked proxy: what was read so far
  }
  return parts;
}

/** The messages of an error and its causes, joined: what a transport reader reads. */
export function causeMessages(input: unknown): string {
  const out: string[] = [];
  let e = rec(input);
  for (let i = 0; e && i < 8; i++) {
    try {
      if (typeof e.name === 'string' && e.name !== 'Error') out.push(e.name);
      if (typeof e.code === 'string') out.push(e.code);
      if (typeof e.message === 'string') out.push(e.message);
      e = rec(e.cause);
    } catch {
      break;
    }
  }
  return out.join('\n');
}
