/**
 * The Parts a reader found → one Failure (built by toFailure, src/http/failure.ts), with the facts the
 * Parts lack inferred in order of strength: a status stated in the body, then the error's words, the
 * reason phrase, the exception class; and whose error it is.
 */
import type { Failure, FailureNotes } from '../core/types.js';
import { readSaved } from '../diagnosis/failure.js';
import { parseBody } from '../diagnosis/envelope.js';
import { statusFromError, statusFromText } from '../diagnosis/facts.js';
import { vendorDisplayName } from '../diagnosis/vendor.js';
import { toFailure } from '../http/failure.js';
import { FRAME, type Parts } from './free-text.js';
import { vendorOf } from './vendor.js';

/** What one error text said, ready for diagnose(). */
export interface TextReading {
  /** Facts only; `failure.status` may be undefined when the text gave none. */
  failure: Failure;
  /** False when the text is a success answer (a 200 with a healthy body): nothing to diagnose. */
  isError: boolean;
  /** Where each fact came from, for the user ("status 429 from `Error code: 429`"). Empty when obvious. */
  sources: string[];
}

/** The text without stack frames (at …, File "…", goroutine …), capped at 64 KiB; undefined when nothing is left. */
function withoutFrames(text: string): string | undefined {
  const kept = text
    .slice(0, 32_768)
    .split(/\r?\n/)
    .filter((l) => l.trim() && !FRAME.test(l) && !/^\s{4,}\S/.test(l));
  return kept.length ? kept.join('\n') : undefined;
}

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
  const network = !!parts.networkCode && parts.status === undefined;
  const v = vendorOf(parts.text, parts.host, network);
  const vendor: FailureNotes = v.vendor ? { vendor: v.vendor } : {};
  let failure: Failure;
  let isError = true;
  if (network) {
    failure = toFailure(
      {
        kind: 'network',
        headers: parts.headers,
        networkCode: parts.networkCode === 'ECONNECTION' ? undefined : parts.networkCode,
        networkMessage: parts.networkMessage,
        ...(parts.host ? { host: parts.host } : {}),
      },
      vendor,
    );
  } else {
    // no body in the text: the text itself (its stack frames left out) is the body, read as a page is, for its signature
    const body = parts.body ?? withoutFrames(parts.text) ?? parts.message ?? '';
    const read = readSaved({ status: parts.status, headers: parts.headers, body });
    const saved = read.failure;
    const p = parseBody(body, saved.headers);
    isError = !read.healthy || !!parts.notJson;
    if (parts.status === undefined && saved.status !== undefined) sources.push(`status ${saved.status} stated in the body`);
    // The error's own words: over the text's when the body has no error of its own; else when the body says none.
    const message =
      parts.body === undefined && parts.message && !p.hasError
        ? parts.message
        : saved.message || (parts.body !== undefined ? parts.message : undefined);
    const errorType = saved.errorType || parts.errorType;
    let code = saved.code || parts.code;
    // a quota that sends the user to billing is money, not a rate (OpenAI's insufficient_quota sentence, printed without its code)
    if (!errorType && !code && QUOTA_BILLING.test([message, parts.message, parts.text.slice(0, 32_768)].filter(Boolean).join('\n'))) {
      code = 'insufficient_quota';
      sources.push('code insufficient_quota from the words (a quota that points at billing)');
    }
    const status = saved.status ?? inferredStatus(parts, p, { message, errorType, code }, sources);
    failure = toFailure(
      { ...saved, status, ...(parts.host ? { host: parts.host } : {}) },
      {
        ...(message ? { message } : {}),
        ...(errorType ? { errorType } : {}),
        ...(code ? { code } : {}),
        ...(parts.notJson ? { unexpectedBody: 'not-json' as const } : {}),
        ...vendor,
      },
    );
  }
  if (v.vendor) {
    const name = vendorDisplayName(v.vendor);
    if (name) sources.push(`${name}’s error, from ${v.why}`);
    const upstream = vendorDisplayName(v.upstream);
    if (upstream) sources.push(`ModelSwitch’s answer (from ${v.why}) relaying an error of the provider behind it, ${upstream}`);
  }
  return { failure, isError, sources };
}

/**
 * A status for an answer that states none (nor does its body, nor its error's type or code): from what the
 * error says, its reason phrase, or its exception class; undefined when nothing says one. Says where in `sources`.
 */
function inferredStatus(
  parts: Parts,
  p: ReturnType<typeof parseBody>,
  read: { message?: string; errorType?: string; code?: string },
  sources: string[],
): number | undefined {
  if ((p.status ?? statusFromError(read.errorType ?? p.errorType, read.code ?? p.code)) !== undefined) return undefined;
  const said = [read.message, p.message, parts.message].filter(Boolean).join('\n');
  const words = statusFromText(said);
  if (words !== undefined) {
    sources.push(`status ${words} from what the error says (no status in the text)`);
    return words;
  }
  const reason = REASON_WORDS.find(([re]) => re.test(said));
  if (reason) {
    sources.push(`status ${reason[1]} from the words “${reason[0].exec(said)![0]}” (no status in the text)`);
    return reason[1];
  }
  if (parts.weakStatus) {
    sources.push(`status ${parts.weakStatus.status} from the exception class ${parts.weakStatus.name} (nothing stronger in the text)`);
    return parts.weakStatus.status;
  }
  return undefined;
}
