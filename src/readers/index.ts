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
 * free-text.ts gathers what a free text states (Parts); reading.ts makes the one Failure of them.
 */
import { parseSavedResponse, readSaved } from '../diagnosis/failure.js';
import { parseBody } from '../diagnosis/envelope.js';
import { statusFromError } from '../diagnosis/facts.js';
import { vendorDisplayName } from '../diagnosis/vendor.js';
import { toFailure } from '../http/failure.js';
import { readHar } from './har.js';
import { transportFromText } from './transport.js';
import { hostFromText, vendorOf } from './vendor.js';
import { parseJson } from '../core/json-depth.js';
import { readFreeText, type Parts } from './free-text.js';
import { readingFromParts, type TextReading } from './reading.js';

export { readFreeText, readingFromParts, type Parts, type TextReading };

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
      const name = vendorDisplayName(v.vendor);
      return {
        failure: v.vendor ? toFailure(read.failure, { vendor: v.vendor }) : read.failure,
        isError: !read.healthy,
        sources: name ? [`${name}’s error, from ${v.why}`] : [],
      };
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
  /\b(?:error|exception|failed|failure|refused|denied|forbidden|unauthori[sz]ed|timed? ?out|rate.?limit|quota|insufficient|overloaded|unavailable|UND_ERR_\w+|[45]\d\d)\b/i;
/**
 * Node's error codes (ECONNRESET, ETIMEDOUT), in capitals only: under the words' `i` flag this matched any word of
 * five letters or more starting with an e ("every event", "enabled", a line of base64), each then read as an error.
 */
const ERROR_CODES = /\bE[A-Z]{4,}\b/;

/** A cheap test for the log scanner: does this line look like (part of) an API error? */
export function looksLikeError(line: string): boolean {
  const head = line.slice(0, 4096);
  return ERROR_WORDS.test(head) || ERROR_CODES.test(head);
}
