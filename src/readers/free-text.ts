/**
 * The free-text reader: an SDK's exception, an app's error line, a log excerpt → the Parts it states (a
 * status wherever it is written, a body anywhere in it, fields written as words, quoted header lines, a
 * transport failure by its name, an exception class), each with where it was read from. reading.ts turns
 * the Parts into a Failure.
 */
import { parseBody } from '../diagnosis/envelope.js';
import { statusLike } from '../diagnosis/json-envelope.js';
import { embeddedBody, htmlInText } from './embedded.js';
import { exceptionFromText } from './exception.js';
import { readErrorObject } from './object.js';
import { statusFromErrorText } from './status.js';
import { transportFromText } from './transport.js';
import { hostFromText } from './vendor.js';

/** What the readers found, before it becomes a Failure. */
export interface Parts {
  status?: number;
  headers: Record<string, string>;
  body?: string;
  networkCode?: string;
  networkMessage?: string;
  /** The error's own words, when no body carries a message. */
  message?: string;
  host?: string;
  /** The whole text, for the vendor's wording. */
  text: string;
  /** `type: insufficient_quota`, `code: rate_limit_exceeded` written in the text (anthropic-node, Go SDKs), when no body carries them. */
  errorType?: string;
  code?: string;
  /** The client failed to parse the answer as JSON (JSONDecodeError, "Unexpected token < in JSON"). */
  notJson?: boolean;
  /** An exception class that implies a status, used only when nothing stronger did. */
  weakStatus?: { status: number; name: string };
  sources: string[];
}

/** A text on one line, cut to `n` characters with "…": how a source is quoted. */
export const snippet = (s: string, n = 60): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** A line of a stack trace, a traceback or a goroutine dump: not the error's words. */
export const FRAME =
  /^\s+at\s|^\s*File "|^Traceback \(most recent call last\)|^\s*\^+\s*$|^During handling of the above exception|^The above exception was the direct cause|^goroutine \d+ \[|^\s+[\w./-]+\.go:\d+|^\s*\.\.\. \d+ (more|lines)/;

/** The line that carries the error, with the class name and the status form taken off. */
function messageOf(text: string, statusAt: number | undefined, body: { index: number; end: number } | undefined): string | undefined {
  const head = text.length > 65_536 ? text.slice(0, 65_536) : text;
  let at = statusAt;
  if (at === undefined) {
    const lines = head.split(/\r?\n/);
    const isPy = /^Traceback \(most recent call last\)/m.test(head);
    const candidates = lines.filter((l) => l.trim() && !FRAME.test(l) && !/^\s{4}\S/.test(isPy ? l : ''));
    const pick = isPy ? candidates[candidates.length - 1] : (candidates.find((l) => /(Error|Exception)\b/.test(l)) ?? candidates[0]);
    if (pick === undefined) return undefined;
    at = head.indexOf(pick);
  }
  const start = head.lastIndexOf('\n', at) + 1;
  const nl = head.indexOf('\n', at);
  let line = head.slice(start, nl === -1 ? head.length : nl);
  if (body && body.index >= start && body.index < start + line.length)
    line = line.slice(0, body.index - start) + line.slice(Math.min(line.length, body.end - start));
  line = line
    .replace(/^\s*(?:\[[^\]]*\]\s*|\d{4}-\d\d-\d\d[T ][\d:.,]+Z?\s*|(?:ERROR|WARN(?:ING)?|INFO|error|warn)[:\s]+)*/, '')
    .replace(/^(?:Uncaught\s+)?(?:[\w$]+(?:\.|::|\\))*[\w$]*(?:Error|Exception)\w*(?:\s*\[[^\]]*\])?:\s*/, '')
    .replace(/^Error code:\s*\d{3}\s*-?\s*/, '')
    .replace(/\s*-\s*$/, '')
    .trim();
  return line ? line.slice(0, 1000) : undefined;
}

/** Error codes and types the big APIs use, written bare in a text ("Error: insufficient_quota"). */
const CODE_TOKEN =
  /\b(insufficient_quota|rate_limit_exceeded|rate_limit_error|invalid_api_key|model_not_found|context_length_exceeded|overloaded_error|authentication_error|permission_error|not_found_error|billing_hard_limit_reached|insufficient_balance|RESOURCE_EXHAUSTED|PERMISSION_DENIED|UNAUTHENTICATED|API_KEY_INVALID)\b/;

/** `type: insufficient_quota`, `code=rate_limit_exceeded`, `error_code: "invalid_api_key"`: fields written as words. */
function labelledFields(text: string, parts: Parts): void {
  const head = text.length > 65_536 ? text.slice(0, 65_536) : text;
  const field = (re: RegExp): string | undefined => re.exec(head)?.[1];
  // Swift's Optional("…") and Rust's Some("…") around a value; botocore's "An error occurred (ThrottlingException)"
  const type =
    field(/\b(?:error[_ ]?)?type["']?\s*[:=]\s*(?:Optional\(|Some\()?["']?([A-Za-z][\w.-]{2,60})\b/i) ??
    field(/An error occurred \((\w{3,60})\)/);
  const code = field(/\b(?:error[_ ]?)?code["']?\s*[:=]\s*(?:Optional\(|Some\()?["']?([A-Za-z][\w.-]{2,60})\b/i) ?? field(CODE_TOKEN);
  if (type && !/^(application|text|string|object|null|none|undefined|error|Some)$/i.test(type)) {
    parts.errorType = type;
    parts.sources.push(`error type ${type} from “${snippet(/[^\n]{0,20}type["']?\s*[:=]\s*["']?[\w.-]+/i.exec(head)?.[0] ?? type)}”`);
  }
  if (code && !/^(null|none|undefined)$/i.test(code)) {
    parts.code = code;
    if (!type) parts.sources.push(`error code ${code} from the text`);
  }
}

/** Response headers quoted as lines of the text ("retry-after: 20", "server: nginx", Cloudflare's "Ray ID: 7ab0…"). */
function headerLines(text: string, parts: Parts): void {
  const re =
    /^[\s>*<-]*(ray id|cf-ray|server|x-request-id|request-id|retry-after|retry-after-ms|x-ratelimit-[\w-]+|content-type|x-amzn-errortype|openai-organization)\s*:\s*([^\r\n]{1,200})$/gim;
  const head = text.slice(0, 65_536);
  let n = 0;
  for (let m = re.exec(head); m && n < 50; m = re.exec(head), n++) {
    const name = m[1]!.toLowerCase() === 'ray id' ? 'cf-ray' : m[1]!.toLowerCase();
    parts.headers[name] ??= m[2]!.trim();
  }
}

/** The text without the embedded body: up to 32 KiB before it and 8 KiB after it; `at` maps an index back into the text. */
function around(text: string, emb: { index: number; end: number } | undefined): { text: string; at: (i: number) => number } {
  const from = emb ? emb.index : text.length;
  const to = emb ? emb.end : text.length;
  const headEnd = Math.min(from, 32_768);
  const tailStart = Math.max(to, text.length - 8_192, headEnd);
  if (headEnd === text.length) return { text, at: (i) => i };
  const joined = `${text.slice(0, headEnd)}\n${text.slice(tailStart)}`;
  return { text: joined, at: (i) => (i <= headEnd ? i : i - headEnd - 1 + tailStart) };
}

/** Reads a free text (an SDK's exception, an app's line, a log excerpt): what it says, and where. */
export function readFreeText(text: string, opts: { status?: number; headers?: Record<string, string> } = {}): Parts {
  const parts: Parts = { headers: { ...(opts.headers ?? {}) }, text, sources: [] };
  const emb = embeddedBody(text);
  // The words around the body (the body itself is read by the envelope reader): what the status, transport,
  // class and field readers scan, at most 32 KiB before the body and 8 KiB after it, so that a long body or
  // a long line costs no more to read here than the same body as JSON.
  const near = around(text, emb);
  let st = opts.status === undefined ? statusFromErrorText(near.text) : undefined;
  if (st) st = { ...st, index: near.at(st.index) };
  // a proxy's own answer ("Tunnel connection failed: 400 Bad Request", "407 Proxy Authentication Required") is not the API's
  const proxy = st ? transportFromText(near.text) : undefined;
  // a success status logged before a transport failure ("HTTP/1.1 200 OK", then "Connection error.") is not the error
  if (st && st.status < 400 && proxy) st = undefined;
  if (st && proxy?.code === 'ERR_PROXY' && (st.status === 407 || /proxy|tunnel/i.test(text.slice(Math.max(0, st.index - 100), st.index))))
    st = undefined;
  let bodyValue: unknown = emb?.value;
  if (opts.status !== undefined) parts.status = opts.status;
  else if (st) {
    parts.status = st.status;
    parts.sources.push(`status ${st.status} from “${snippet(st.from)}”`);
  }
  if (emb) {
    // an SDK error printed whole (util.inspect of an openai error: { status: 429, headers: {…}, error: {…} })
    const v = emb.value;
    const statusField = statusLike(v.status) ?? statusLike(v.statusCode) ?? statusLike(v.status_code);
    if (
      statusField !== undefined ||
      (('headers' in v || 'responseBody' in v || 'response' in v) &&
        ('error' in v || 'headers' in v || 'responseBody' in v || 'response' in v))
    ) {
      const o = readErrorObject(v);
      if (parts.status === undefined && o.status !== undefined) {
        parts.status = o.status;
        parts.sources.push(`status ${o.status} from the ${o.statusFrom} field of ${emb.kind}`);
      }
      parts.headers = { ...o.headers, ...parts.headers };
      if (o.body !== undefined) {
        bodyValue = undefined;
        parts.body = o.body;
        parts.sources.push(`body from the ${o.bodyFrom} field of ${emb.kind}`);
      }
    }
    if (bodyValue !== undefined) {
      // {"error":{"error":{…}}} (a gateway wrapping a provider's envelope): the inner envelope
      const outer = bodyValue as { error?: { error?: unknown } };
      if (outer.error && typeof outer.error === 'object' && outer.error.error && typeof outer.error.error === 'object')
        bodyValue = outer.error;
      try {
        // long strings cut (the envelope reads 2000 characters of a field): the rebuilt body stays small to parse
        parts.body = JSON.stringify(bodyValue, (_k, x: unknown) => (typeof x === 'string' && x.length > 4000 ? `${x.slice(0, 4000)}…` : x));
      } catch {
        parts.body = undefined;
      }
      if (parts.body !== undefined) parts.sources.push(`body from ${emb.kind}${st && emb.index > st.index ? ' after it' : ' in the text'}`);
    }
  }
  if (parts.body === undefined) {
    const html = htmlInText(text);
    if (html) {
      parts.body = html.html;
      parts.headers['content-type'] ??= 'text/html';
      parts.sources.push('body from the HTML page inside the text');
    }
  }
  const hasBodyError = parts.body !== undefined && parseBody(parts.body, parts.headers).hasError;
  if (parts.body === undefined) labelledFields(near.text, parts);
  headerLines(near.text, parts);
  if (parts.status === undefined && !hasBodyError) {
    // around the body first; then the body too (an error object printed whole carries its cause's code)
    const nearHit = transportFromText(near.text);
    const whole = (!nearHit || nearHit.code === 'ECONNECTION') && near.text.length < text.length ? transportFromText(text) : undefined;
    const tr = whole && whole.code !== 'ECONNECTION' ? whole : (nearHit ?? whole);
    if (tr) {
      parts.networkCode = tr.code;
      const i = text.indexOf(tr.from);
      const lineStart = text.lastIndexOf('\n', i) + 1;
      const lineEnd = text.indexOf('\n', i);
      parts.networkMessage = text
        .slice(lineStart, lineEnd === -1 ? Math.min(text.length, lineStart + 400) : Math.min(lineEnd, lineStart + 400))
        .trim();
      parts.sources.push(`network failure ${tr.code === 'ECONNECTION' ? '' : `${tr.code} `}from “${snippet(tr.from)}”`.replace('  ', ' '));
    }
  }
  if (parts.status === undefined && !parts.networkCode && !hasBodyError && parts.body === undefined) {
    const decode = JSON_DECODE.exec(near.text);
    if (decode) {
      parts.status = 200;
      parts.notJson = true;
      parts.sources.push(
        `a body that is not JSON, from “${snippet(decode[0])}” (the client could not parse the answer; no status in the text, read as a success)`,
      );
    }
  }
  const ex = exceptionFromText(near.text);
  if (parts.status === undefined && !parts.networkCode && ex) {
    if (ex.network && !hasBodyError) {
      parts.networkCode = ex.network;
      parts.networkMessage = ex.name;
      parts.sources.push(`network failure from the exception class ${ex.name}`);
    } else if (ex.status !== undefined) parts.weakStatus = { status: ex.status, name: ex.name };
  }
  parts.message = messageOf(text, st?.index, emb);
  parts.host = hostFromText(near.text);
  return parts;
}

/** A client that could not parse the answer as JSON, in any language's words. */
const JSON_DECODE =
  /JSONDecodeError|Expecting value: line \d+ column \d+|Unexpected token .{1,12} in JSON|is not valid JSON|Unexpected end of JSON input|invalid character '.{1,4}' looking for beginning of value|expected value at line \d+ column \d+|JSON\.parse: unexpected|Unexpected character encountered while parsing|JsonReaderException|MismatchedInputException|Unrecognized token '[^']*': was expecting|FormatException: Unexpected character|JSON::ParserError|unexpected character: line \d+/i;
