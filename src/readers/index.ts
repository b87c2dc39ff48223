/**
 * The one entry from outside text to the engine: a text (an SDK exception, an app's error line, a JSON
 * body, a curl dump, a HAR file) becomes a Failure plus where each fact was read from.
 *
 * This is the seam between the text readers (issue 12, which owns this folder) and the log scanner
 * (issue 13, src/logs/, which calls both functions below per error). Keep the two signatures stable.
 *
 * The readers, each small: status.ts (a status wherever clients write it), embedded.ts (a body anywhere:
 * JSON, escaped JSON, Python, util.inspect, Ruby, Go, Rust; an HTML page), loose.ts (the tolerant literal
 * reader under it), transport.ts (network failures by name), exception.ts (class names, weak evidence),
 * object.ts (error objects), har.ts (HAR files), vendor.ts (whose error it is). Strongest evidence wins:
 * a stated status over a body's over the words' over an exception class; a body's error over the class.
 */
import type { Failure } from '../core/types.js';
import { parseSavedResponse, readSaved } from '../diagnosis/failure.js';
import { parseBody } from '../diagnosis/envelope.js';
import { statusFromError, statusFromText } from '../diagnosis/facts.js';
import { statusLike } from '../diagnosis/json-envelope.js';
import { vendorDisplayName } from '../diagnosis/vendor.js';
import { embeddedBody, htmlInText } from './embedded.js';
import { exceptionFromText } from './exception.js';
import { readHar } from './har.js';
import { readErrorObject } from './object.js';
import { statusFromErrorText } from './status.js';
import { transportFromText } from './transport.js';
import { hostFromText, vendorOf } from './vendor.js';
import { parseJson } from '../core/json-depth.js';

/** What one error text said, ready for diagnose(). */
export interface TextReading {
  /** Facts only; `failure.status` may be undefined when the text gave none. */
  failure: Failure;
  /** False when the text is a success answer (a 200 with a healthy body): nothing to diagnose. */
  isError: boolean;
  /** Where each fact came from, for the user ("status 429 from `Error code: 429`"). Empty when obvious. */
  sources: string[];
}

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

/** Binary input: NUL bytes, or many control characters / invalid UTF-8 in its head. */
export function looksBinaryText(text: string): boolean {
  const sample = text.slice(0, 8192);
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13 && c !== 27)) odd++;
  }
  return odd >= 8 && odd / Math.max(1, sample.length) > 0.1;
}

const snippet = (s: string, n = 60): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** A whole response as `explain` always read it: a body (JSON, HTML, SSE), `curl -i`/`-v` output, a captured {status, headers, body}. */
function isWholeResponse(clean: string): boolean {
  const lead = clean.trimStart();
  if (/^HTTP\/\d/.test(lead) || /^< HTTP\/\d/m.test(clean.slice(0, 65_536))) return true;
  if (/^(data|event|id|retry):/m.test(lead.slice(0, 200)) && /^data:/m.test(lead.slice(0, 4096))) return true;
  if (/^</.test(lead)) return true;
  // JSON (whole, or cut off at a size cap): an object whose first key is double-quoted, an array of them. A
  // Python dict ({'error': …}), util.inspect ({ error: … }) or a Ruby hash ({"error"=>…}) is a text for the readers.
  if (/^(\{\s*("|\}|$)|\[\s*(\{\s*"|"|-?\d|\]|$))/.test(lead.slice(0, 64))) return !/"\s*=>/.test(lead.slice(0, 4096));
  return false;
}

const FRAME =
  /^\s+at\s|^\s*File "|^Traceback \(most recent call last\)|^\s*\^+\s*$|^During handling of the above exception|^The above exception was the direct cause|^goroutine \d+ \[|^\s+[\w./-]+\.go:\d+|^\s*\.\.\. \d+ (more|lines)/;

/** The text without stack frames (at …, File "…", goroutine …), capped at 64 KiB; undefined when nothing is left. */
function withoutFrames(text: string): string | undefined {
  const kept = text
    .slice(0, 32_768)
    .split(/\r?\n/)
    .filter((l) => l.trim() && !FRAME.test(l) && !/^\s{4,}\S/.test(l));
  return kept.length ? kept.join('\n') : undefined;
}

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

/** HTTP reason phrases (and Anthropic's "Overloaded") said without their status. */
const REASON_WORDS: ReadonlyArray<readonly [RegExp, number]> = [
  [/\bInternal Server Error\b/i, 500],
  [/\bBad Gateway\b/i, 502],
  [/\bService (Temporarily )?Unavailable\b/i, 503],
  [/\bGateway Time-?out\b/i, 504],
  [/\bOverloaded\b/i, 529],
  [/\bPayment Required\b/i, 402],
  // envoy's own 503 body
  [/upstream connect error or disconnect\/reset before headers|no healthy upstream/i, 503],
  [/\bserver (had|encountered|experienced) an (internal )?error\b/i, 500],
  [
    /\b(didn't|did not) provide an API key|\bno API key (was )?provided|\bmissing (an? )?(api[ _-]?key|bearer token|authorization header)|\bapi[ _-]?key (is )?(missing|not valid|incorrect|revoked|expired)|\bincorrect api key|\binvalid x-api-key|\b(security|access|auth(entication)?|bearer) token\b[^.\n]{0,40}\b(is )?(invalid|expired)\b/i,
    401,
  ],
];

const QUOTA_BILLING = /\bquota\b[^.\n]{0,60}\b(?:plan and billing|billing details|billing)\b/i;

/** Turns the parts into a reading: a network failure, or an answer read as `explain` reads a saved one. */
export function readingFromParts(parts: Parts): TextReading {
  const sources = [...parts.sources];
  let failure: Failure;
  let isError = true;
  if (parts.networkCode && parts.status === undefined) {
    failure = {
      kind: 'network',
      headers: parts.headers,
      attempts: [],
      networkCode: parts.networkCode === 'ECONNECTION' ? undefined : parts.networkCode,
      networkMessage: parts.networkMessage,
      ...(parts.host ? { host: parts.host } : {}),
    };
  } else {
    // no body in the text: the text itself (its stack frames left out) is the body, read as a page is, for its signature
    const body = parts.body ?? withoutFrames(parts.text) ?? parts.message ?? '';
    const read = readSaved({ status: parts.status, headers: parts.headers, body });
    failure = read.failure;
    if (parts.body === undefined && parts.message && !parseBody(body, failure.headers).hasError) failure.message = parts.message;
    isError = !read.healthy;
    if (parts.status === undefined && failure.status !== undefined) sources.push(`status ${failure.status} stated in the body`);
    if (parts.notJson) {
      failure.unexpectedBody = 'not-json';
      isError = true;
    }
    if (!failure.message && parts.message && parts.body !== undefined) failure.message = parts.message;
    if (!failure.errorType && parts.errorType) failure.errorType = parts.errorType;
    if (!failure.code && parts.code) failure.code = parts.code;
    // a quota that sends the user to billing is money, not a rate (OpenAI's insufficient_quota sentence, printed without its code)
    const said = [failure.message, parts.message, parts.text.slice(0, 32_768)].filter(Boolean).join('\n');
    if (!failure.errorType && !failure.code && QUOTA_BILLING.test(said)) {
      failure.code = 'insufficient_quota';
      sources.push('code insufficient_quota from the words (a quota that points at billing)');
    }
    if (failure.status === undefined) {
      const p = parseBody(body, failure.headers);
      const stated = p.status ?? statusFromError(failure.errorType ?? p.errorType, failure.code ?? p.code);
      if (stated === undefined) {
        const said = [failure.message, p.message, parts.message].filter(Boolean).join('\n');
        const words = statusFromText(said);
        if (words !== undefined) {
          failure.status = words;
          sources.push(`status ${words} from what the error says (no status in the text)`);
        } else if (REASON_WORDS.some(([re]) => re.test(said))) {
          const [re, status] = REASON_WORDS.find(([r]) => r.test(said))!;
          failure.status = status;
          sources.push(`status ${status} from the words “${re.exec(said)![0]}” (no status in the text)`);
        } else if (parts.weakStatus) {
          failure.status = parts.weakStatus.status;
          sources.push(
            `status ${parts.weakStatus.status} from the exception class ${parts.weakStatus.name} (nothing stronger in the text)`,
          );
        }
      }
    }
    if (parts.host) failure.host = parts.host;
  }
  const v = vendorOf(parts.text, parts.host, failure.kind === 'network');
  if (v.vendor) {
    failure.vendor = v.vendor;
    const name = vendorDisplayName(v.vendor);
    if (name) sources.push(`${name}’s error, from ${v.why}`);
    const upstream = vendorDisplayName(v.upstream);
    if (upstream) sources.push(`ModelSwitch’s answer (from ${v.why}) relaying an error of the provider behind it, ${upstream}`);
  }
  return { failure, isError, sources };
}

/** The string values of a JSON document, one a line (for a JSON log line that quotes an error). */
function stringsOf(json: string): string | undefined {
  let v: unknown;
  try {
    v = parseJson(json);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (out.length > 200 || depth > 16) return;
    if (typeof x === 'string') out.push(x);
    else if (x && typeof x === 'object') for (const y of Object.values(x as Record<string, unknown>)) walk(y, depth + 1);
  };
  walk(v, 0);
  return out.length ? out.join('\n') : undefined;
}

/** Reads one error text. Never throws; bounded in time for any input (linear in its length). */
export function readErrorText(text: string, opts: { status?: number; headers?: Record<string, string> } = {}): TextReading {
  try {
    const clean = text.replace(/^\uFEFF/, '');
    const har = readHar(clean);
    if (har) {
      const parts: Parts = {
        status: opts.status ?? har.status,
        headers: { ...har.headers, ...(opts.headers ?? {}) },
        body: har.body,
        host: har.host,
        text: `${har.host ?? ''}\n${har.body.slice(0, 65_536)}`,
        sources: [`the response of ${har.from}`],
      };
      if (parts.status === undefined) {
        const tr = transportFromText(har.networkError ?? '');
        parts.networkCode = tr?.code ?? 'ECONNECTION';
        parts.networkMessage = har.networkError;
      }
      return readingFromParts(parts);
    }
    const quoted = /^HTTP\/\d(?:\.\d)?[ \t]+\d{3}\b[^\r\n]*\r?\n[\w-]+:[ \t]/m.exec(clean.slice(0, 65_536));
    if (quoted && quoted.index > 0 && !isWholeResponse(clean)) {
      const r = readErrorText(clean.slice(quoted.index), opts);
      return { ...r, sources: ['the HTTP response quoted in the text (from its status line)', ...r.sources] };
    }
    if (isWholeResponse(clean) || looksBinaryText(clean)) {
      const saved = parseSavedResponse(clean, { status: opts.status });
      Object.assign(saved.headers, opts.headers ?? {});
      const read = readSaved(saved);
      // a JSON log line ({"level":"error","msg":"…","err":"Error code: 429 - {…}"}): no status, no envelope — its strings are the text
      // a JSON log line ({"level":"error","err":"Error code: 429 - {…}"}) or an app's {"error": "<a client's exception>"}:
      // with no status of its own, its strings are read as text; a transport failure or a status named there wins
      const pb = saved.status === undefined && /^\s*\{/.test(clean) ? parseBody(saved.body, saved.headers) : undefined;
      if (pb && pb.status === undefined && statusFromError(pb.errorType, pb.code) === undefined) {
        const strings = stringsOf(clean);
        if (strings) {
          const parts = readFreeText(strings, opts);
          if (parts.networkCode || (!pb.hasError && (parts.status !== undefined || parts.body !== undefined)))
            return readingFromParts(parts);
        }
      }
      const host = hostFromText(saved.body.slice(0, 65_536));
      const v = vendorOf(saved.body, host, false);
      if (v.vendor) read.failure.vendor = v.vendor;
      const name = vendorDisplayName(v.vendor);
      return { failure: read.failure, isError: !read.healthy, sources: name ? [`${name}’s error, from ${v.why}`] : [] };
    }
    return readingFromParts(readFreeText(clean, opts));
  } catch {
    const saved = parseSavedResponse(text, { status: opts.status });
    Object.assign(saved.headers, opts.headers ?? {});
    const read = readSaved(saved);
    return { failure: read.failure, isError: !read.healthy, sources: [] };
  }
}

const ERROR_WORDS =
  /\b(?:error|exception|failed|failure|refused|denied|forbidden|unauthori[sz]ed|timed? ?out|rate.?limit|quota|insufficient|overloaded|unavailable|E[A-Z]{4,}|UND_ERR_\w+|[45]\d\d)\b/i;

/** A cheap test for the log scanner: does this line look like (part of) an API error? */
export function looksLikeError(line: string): boolean {
  return ERROR_WORDS.test(line.slice(0, 4096));
}
