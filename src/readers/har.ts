/**
 * A HAR file (a browser's devtools export, or a proxy's): the failing entry's response — the last entry
 * with an error status or no answer, else the last entry. Only the response is read, never the request.
 */
import { parseJson } from '../core/json-depth.js';

export interface HarParts {
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** Chrome's _error / Firefox's failure text, when the request got no answer. */
  networkError?: string;
  host?: string;
  /** "entry 3 of 7 (POST api.openai.com/v1/chat/completions)". */
  from: string;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined);

/** Reads a HAR document, or undefined when the text is not one. */
export function readHar(text: string): HarParts | undefined {
  if (!/^\s*\{/.test(text) || !/"log"\s*:/.test(text.slice(0, 4096))) return undefined;
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch {
    return undefined;
  }
  const entries = rec(rec(doc)?.log)?.entries;
  if (!Array.isArray(entries) || entries.length === 0) return undefined;
  const statusOf = (e: unknown): number => Number(rec(rec(e)?.response)?.status ?? 0);
  let idx = -1;
  for (let i = entries.length - 1; i >= 0; i--) {
    const s = statusOf(entries[i]);
    if (s >= 400 || s === 0) {
      idx = i;
      break;
    }
  }
  if (idx === -1) idx = entries.length - 1;
  const entry = rec(entries[idx]) ?? {};
  const response = rec(entry.response) ?? {};
  const request = rec(entry.request) ?? {};
  const headers: Record<string, string> = {};
  if (Array.isArray(response.headers)) {
    for (const h of response.headers) {
      const r = rec(h);
      if (r && typeof r.name === 'string' && typeof r.value === 'string') {
        const k = r.name.toLowerCase();
        headers[k] = headers[k] !== undefined ? `${headers[k]}, ${r.value}` : r.value;
      }
    }
  }
  const content = rec(response.content) ?? {};
  let body = typeof content.text === 'string' ? content.text : '';
  if (content.encoding === 'base64' && body) {
    try {
      body = Buffer.from(body, 'base64').toString('utf8');
    } catch {
      // leave as is
    }
  }
  if (!headers['content-type'] && typeof content.mimeType === 'string' && content.mimeType) headers['content-type'] = content.mimeType;
  let host: string | undefined;
  let where = '';
  if (typeof request.url === 'string') {
    try {
      const u = new URL(request.url);
      host = u.hostname;
      where = ` (${typeof request.method === 'string' ? `${request.method} ` : ''}${u.host}${u.pathname})`;
    } catch {
      // not a URL
    }
  }
  const status = statusOf(entry) || undefined;
  const err =
    typeof response._error === 'string' ? response._error : typeof response._failureText === 'string' ? response._failureText : undefined;
  return {
    status,
    headers,
    body,
    networkError: status === undefined ? (err ?? 'no response') : undefined,
    host,
    from: `entry ${idx + 1} of ${entries.length} of the HAR file${where}`,
  };
}
