/** parseBody: reads ANY vendor's error body (JSON envelopes, HTML pages, text, SSE) into one shape. */
import { readEnvelope, scalar, type EnvelopeFields } from './json-envelope.js';
import { lowerHeaders } from '../http/failure.js';
import { readPage, vendorFromHeaders, type VendorHint } from './page.js';
import { looksLikeSse, readSse } from './sse.js';
import { parseJson } from '../core/json-depth.js';

export type { ProviderError } from './json-envelope.js';
export type { VendorHint } from './page.js';

export type BodyFormat = 'json' | 'html' | 'text' | 'sse' | 'empty' | 'binary';

/** An error found inside an SSE stream. */
export interface SseError {
  errorType?: string;
  code?: string;
  message?: string;
  /** A status the event itself states. */
  status?: number;
  /** The SSE event name (`error`), when the event had one. */
  event?: string;
}

/**
 * What a body says, whatever its vendor or format: the envelope's fields (for a JSON body, or an SSE
 * error event; `requestId` from the headers first), and what its format adds. Never the parsed JSON itself.
 */
export interface ParsedBody extends EnvelopeFields {
  format: BodyFormat;
  /** It looked like JSON but did not parse (cut off or broken); fields were read by pattern. */
  malformedJson?: boolean;
  /** A short excerpt for people: an HTML page's title or h1, a text body's first line. */
  excerpt?: string;
  title?: string;
  heading?: string;
  vendorHint?: VendorHint;
  cdn?: VendorHint;
  cdnChallenge?: boolean;
  cdnBlock?: boolean;
  cdnErrorCode?: number;
  sseError?: SseError;
  sseDone?: boolean;
  sseEvents?: number;
  /** Length of the body text. */
  length: number;
}

/** Request-id headers, most specific first; a CDN's ray id comes last. */
const REQUEST_ID_HEADERS = [
  'x-request-id',
  'request-id',
  'x-amzn-requestid',
  'x-amz-request-id',
  'apim-request-id',
  'x-ms-request-id',
  'x-correlation-id',
  'x-trace-id',
  'openai-request-id',
  'x-vercel-id',
  'cf-ray',
] as const;

const BINARY_TYPES = /^(image|audio|video|font)\/|^application\/(octet-stream|zip|gzip|x-gzip|pdf|x-protobuf|grpc|wasm)/i;

/** Lower-cased header names (saved responses may carry any case). */
export { lowerHeaders };

function requestIdFromHeaders(h: Record<string, string>): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const v = h[name]?.trim();
    if (v) return v.slice(0, 200);
  }
  return undefined;
}

/** "(request id: 2024…)", "include the request ID 169bee8d in your message". */
function requestIdFromText(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = /request[ _-]?id\b\s*[:=]?\s*([A-Za-z0-9][A-Za-z0-9_.:-]{5,})/i.exec(text);
  return m?.[1];
}

/** Control characters and U+FFFD (invalid UTF-8 decoded) in the head of the body. */
function looksBinary(body: string): boolean {
  const sample = body.slice(0, 4096);
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13)) odd++;
  }
  return odd >= 4 && odd / sample.length > 0.05;
}

/** Salvages string fields from JSON that does not parse (cut at the size cap, or broken). */
function salvage(text: string): EnvelopeFields {
  const out: EnvelopeFields = { hasError: /"error"\s*:/.test(text), reasons: [] };
  const field = (name: string): string | undefined => {
    const m = new RegExp(`"${name}"\\s*:\\s*(?:"((?:[^"\\\\]|\\\\.){0,2000})"|(-?\\d{1,6}))`).exec(text);
    if (!m) return undefined;
    if (m[2] !== undefined) return m[2];
    try {
      return scalar(JSON.parse(`"${m[1] ?? ''}"`));
    } catch {
      return scalar(m[1]);
    }
  };
  out.message = field('message');
  if (!out.message) {
    const partial = /"message"\s*:\s*"((?:[^"\\]|\\.){1,2000})$/.exec(text.slice(0, 4096));
    if (partial?.[1]) out.message = `${partial[1]}…`;
  }
  out.errorType = field('type');
  out.code = field('code');
  out.requestId = field('request_id');
  return out;
}

function fromEnvelope(format: BodyFormat, env: EnvelopeFields, length: number): ParsedBody {
  return {
    format,
    hasError: env.hasError,
    errorType: env.errorType,
    code: env.code,
    message: env.message,
    param: env.param,
    requestId: env.requestId,
    status: env.status,
    reasons: env.reasons,
    retryDelaySec: env.retryDelaySec,
    provider: env.provider,
    length,
  };
}

function parseJsonBody(text: string, length: number): ParsedBody {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    return { ...fromEnvelope('json', salvage(text), length), malformedJson: true };
  }
  return fromEnvelope('json', readEnvelope(value), length);
}

function parseSseBody(body: string, length: number): ParsedBody {
  const sse = readSse(body);
  const e = sse.error;
  const out: ParsedBody = {
    format: 'sse',
    hasError: Boolean(e),
    reasons: e?.reasons ?? [],
    sseDone: sse.done,
    sseEvents: sse.events,
    length,
  };
  if (e) {
    out.sseError = { errorType: e.errorType, code: e.code, message: e.message, status: e.status, event: sse.errorEvent };
    Object.assign(out, { errorType: e.errorType, code: e.code, message: e.message, requestId: e.requestId, status: e.status });
  }
  return out;
}

function parseByFormat(body: string, h: Record<string, string>): ParsedBody {
  const length = body.length;
  const trimmed = body.trim();
  const ct = (h['content-type'] ?? '').toLowerCase();
  if (!trimmed) return { format: 'empty', hasError: false, reasons: [], length };
  if (looksBinary(body)) return { format: 'binary', hasError: false, reasons: [], length };
  if (ct.includes('text/event-stream') || looksLikeSse(body)) return parseSseBody(body, length);
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || (ct.includes('json') && /^["\d-]/.test(trimmed))) {
    return parseJsonBody(trimmed, length);
  }
  if (BINARY_TYPES.test(ct)) return { format: 'binary', hasError: false, reasons: [], length };
  const html = ct.includes('html') || (/^</.test(trimmed) && /<(html|!doctype|head|body|title|h1)\b/i.test(trimmed.slice(0, 2048)));
  const page = readPage(body, html ? 'html' : 'text', h);
  return {
    format: html ? 'html' : 'text',
    hasError: false,
    message: html ? undefined : page.text,
    reasons: [],
    length,
    ...page,
  };
}

/**
 * Reads any error body. Never throws: an unreadable body comes back as format 'text' or 'binary'
 * with what could be read. Headers are matched case-insensitively.
 */
export function parseBody(body: string | undefined, headers: Record<string, string> = {}): ParsedBody {
  const h = lowerHeaders(headers);
  const headerKey = JSON.stringify(h);
  const known = readings.get(headers);
  if (known && known.body === (body ?? '') && known.headerKey === headerKey) return known.parsed;
  const parsed = parseFresh(body, h);
  readings.set(headers, { body: body ?? '', headerKey, parsed });
  return parsed;
}

/**
 * The reading of a failure's body, kept with the failure's headers object (a Failure's `headers` travel with it
 * from the reader that found it to the builder of the Failure and the rules): one failure's body is parsed once,
 * a 20 MB body for `explain` once, not three or four times. Another failure, with its own headers, is read
 * afresh. Callers only read a ParsedBody, never change it, so sharing it is safe.
 */
const readings = new WeakMap<object, { body: string; headerKey: string; parsed: ParsedBody }>();

/** How many bodies were parsed (not found kept): for the test that a failure's body is parsed once. */
export const parseCount = { bodies: 0 };

function parseFresh(body: string | undefined, h: Record<string, string>): ParsedBody {
  parseCount.bodies++;
  let parsed: ParsedBody;
  try {
    parsed = parseByFormat(body ?? '', h);
  } catch {
    parsed = { format: 'text', hasError: false, reasons: [], length: body?.length ?? 0, excerpt: body?.slice(0, 200) };
  }
  parsed.vendorHint ??= vendorFromHeaders(h);
  if (!parsed.code && h['x-vercel-error']) parsed.code = h['x-vercel-error'];
  // AWS names the error in a header ("MissingAuthenticationTokenException", "ValidationException:http://…").
  if (!parsed.errorType && h['x-amzn-errortype']) parsed.errorType = h['x-amzn-errortype'].split(':')[0]?.trim() || undefined;
  parsed.requestId = requestIdFromHeaders(h) ?? parsed.requestId ?? requestIdFromText(parsed.message ?? parsed.excerpt);
  return parsed;
}
