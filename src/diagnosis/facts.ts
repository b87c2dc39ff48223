/** The facts the rules read: the failure, its parsed body, the context, and a few derived values. */
import type { DiagnoseContext, Failure } from '../core/types.js';
import { lowerHeaders, parseBody, type ParsedBody } from './envelope.js';
import { retryAfterOf } from '../http/retry-after.js';

/** Where the status the rules read came from. */
export type StatusSource = 'response' | 'body' | 'error-type' | 'text' | 'in-band' | 'none';

export interface Facts {
  failure: Failure;
  ctx: DiagnoseContext;
  body: ParsedBody;
  kind: Failure['kind'];
  /** The status the rules read: the response's; for an error inside a 2xx answer, the inner error's. */
  status?: number;
  statusSource: StatusSource;
  /** An error arrived inside a success answer (an SSE error event, or a JSON error envelope on a 2xx). */
  inBand: boolean;
  errorType?: string;
  code?: string;
  message?: string;
  /** Type, code, message, reasons, the provider's inner error, the page title: what text patterns search. */
  haystack: string;
  /** The error's identifiers (type, code, reasons) spelled as words: `billing_not_active` → "billing not active". */
  idWords: string;
  headers: Record<string, string>;
  /** Network code and message, for network patterns. */
  network: string;
  /** How long the server asked to wait, in seconds, and where it said so. */
  retryAfterSec?: number;
  retryAfterFrom?: string;
  now: number;
}

/** Error types and codes that imply a status, for errors that came without one (in a stream, or a bare body). */
const TYPE_STATUS: ReadonlyArray<readonly [RegExp, number]> = [
  [
    /^(insufficient_quota|rate_limit(_error|_exceeded|_reached_error)?|throttling(_error|exception)?|resource_exhausted|too_many_requests)$/i,
    429,
  ],
  [/^overloaded(_error)?$/i, 529],
  [/^(unavailable|service_unavailable(_error)?)$/i, 503],
  [/^(authentication_error|invalid_api_key|unauthenticated|unauthorized)$/i, 401],
  [/^AuthFailure(\.|$)/, 401],
  [/^(permission_error|permission_denied|request_forbidden|forbidden|access_denied)$/i, 403],
  [/^(not_found_error|not_found|model_not_found)$/i, 404],
  [/^(billing_error|payment_required|insufficient_balance)$/i, 402],
  [
    /^(invalid_request_error|invalid_argument|failed_precondition|out_of_range|bad_request|validation_error|context_length_exceeded)$/i,
    400,
  ],
  [/^(request_too_large|payload_too_large)$/i, 413],
  [/^(timeout_error|deadline_exceeded|gateway_timeout)$/i, 504],
  [/^(upstream_error|bad_gateway|provider_error)$/i, 502],
  [/^(server_error|api_error|internal_error|internal|internal_server_error)$/i, 500],
];

/**
 * The status an error's words imply, for errors that came with none (a {code, msg} or {error_code, error_msg}
 * body inside a 200, a bare body): a rate limit, bad credentials, a refusal. Balance and spend texts need no
 * status (their rules read any error status). First match wins.
 */
/**
 * The request does not fit the model's context (not Go's "context deadline exceeded"): the request is at fault,
 * and the same request fails again. Read here for a status from the words, and by the rules for a 5xx that says it.
 */
export const CONTEXT_OVERFLOW =
  /\bcontext[ _](size|length|window)[ _](has been |is |was )?exceeded|exceeds? the (maximum |available )?context (size|length|window)|maximum context length|prompt is too long/i;

const TEXT_STATUS: ReadonlyArray<readonly [RegExp, number]> = [
  [/rate[ _-]?limit|too many requests|\bqps\b|\brequest limit (reached|exceeded)|throttl/i, 429],
  [
    /invalid (api[ _-]?key|token(?!s?\s+(in|at|id|ids|count|type|position|found|sequence)\b)|credential|access[ _-]?token)|(access[ _-]?)?token (is )?(invalid|expired|no longer valid)|unauthori[sz]ed|unauthenticated|credentials? could not be validated/i,
    401,
  ],
  [/access (is )?(denied|restricted|forbidden)|\bforbidden\b|permission denied|访问被限制|无权访问/i, 403],
  [CONTEXT_OVERFLOW, 400],
];

export function statusFromText(text: string): number | undefined {
  return TEXT_STATUS.find(([re]) => re.test(text))?.[1];
}

/** The status an error type or code implies, if any. */
export function statusFromError(type: string | undefined, code: string | undefined): number | undefined {
  for (const v of [type, code]) {
    if (!v) continue;
    const hit = TYPE_STATUS.find(([re]) => re.test(v.trim()));
    if (hit) return hit[1];
  }
  return undefined;
}

const UNIT_SEC: Record<string, number> = {
  ms: 0.001,
  millisecond: 0.001,
  milliseconds: 0.001,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
};

/** How long the server asked to wait: Retry-After (seconds or a date), retry-after-ms, Google RetryInfo, or the message. */
function retryAfter(h: Record<string, string>, body: ParsedBody, text: string, now: number): { sec: number; from: string } | undefined {
  const asked = retryAfterOf(h, now);
  if (asked) return { sec: asked.sec, from: asked.header };
  if (body.retryDelaySec !== undefined) return { sec: body.retryDelaySec, from: 'RetryInfo' };
  const m =
    /(?:retry|try again)\s+(?:after|in)\s+~?(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b/i.exec(
      text,
    );
  if (m?.[1] && m[2]) return { sec: Number(m[1]) * (UNIT_SEC[m[2].toLowerCase()] ?? 1), from: 'the message' };
  // "Quota will be replenished in 00:59:12" (Azure API Management): hh:mm:ss.
  const hms = /(?:replenished|retry|try again|resets?)\s+(?:after|in)\s+(\d{1,3}):([0-5]\d):([0-5]\d)\b/i.exec(text);
  if (hms?.[1] && hms[2] && hms[3]) return { sec: Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3]), from: 'the message' };
  return undefined;
}

/**
 * An identifier split into lower-case words (snake_case, UPPER_CASE, camelCase, kebab-case, dotted):
 * `INSUFFICIENT_G1_CREDITS_BALANCE` → "insufficient g1 credits balance", `AccountOverdueError` → "account overdue error".
 * Undefined for prose (it has spaces), numbers, and single words (already readable as they are).
 */
export function identifierWords(id: string | undefined): string | undefined {
  const t = id?.trim();
  if (!t || t.length > 120 || /\s/.test(t) || !/[A-Za-z]/.test(t)) return undefined;
  const words = t
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[_.\-:/@]+|\s+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  return words.length > 1 ? words.join(' ') : undefined;
}

const isSuccess = (s: number | undefined): boolean => s !== undefined && s >= 200 && s < 300;

/** Builds the facts once; rules only read them. */
export function buildFacts(failure: Failure, ctx: DiagnoseContext): Facts {
  const headers = lowerHeaders(failure.headers);
  const body = parseBody(failure.body, failure.headers);
  const errorType = failure.errorType ?? body.errorType;
  const code = failure.code ?? body.code;
  const message = failure.message ?? body.message;
  const now = ctx.now ?? Date.now();

  const real = failure.status;
  const inBand = isSuccess(real) && failure.kind !== 'network' && body.hasError;
  let status = real;
  let statusSource: StatusSource = real === undefined ? 'none' : 'response';
  const words = [message, ...body.reasons].filter(Boolean).join('\n');
  if (inBand) {
    status =
      (body.status !== undefined && body.status >= 400 ? body.status : undefined) ??
      statusFromError(errorType, code) ??
      statusFromText(words) ??
      500;
    statusSource = 'in-band';
  } else if (real === undefined && failure.kind !== 'network') {
    const byType = statusFromError(errorType, code);
    const byText = byType === undefined && body.status === undefined && body.hasError ? statusFromText(words) : undefined;
    status = body.status ?? byType ?? byText;
    statusSource = body.status !== undefined ? 'body' : byType !== undefined ? 'error-type' : byText !== undefined ? 'text' : 'none';
  }

  const page = body.format === 'html' || body.format === 'text' ? [body.title, body.heading, body.excerpt] : [];
  const p = body.provider;
  // Identifiers quoted inside messages too (a gateway's "… 'type': 'billing_not_active' …"): snake_case tokens only.
  const quoted = [message, p?.message].flatMap((m) =>
    m ? (m.match(/\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b/g) ?? []).slice(0, 20) : [],
  );
  const idWords = [
    ...new Set(
      [errorType, code, ...body.reasons, p?.errorType, p?.code, ...quoted].map(identifierWords).filter((x): x is string => x !== undefined),
    ),
  ].join('\n');
  // The identifiers as words too: the same vocabulary reads "billing not active" in a type and in a message.
  const haystack = [errorType, code, message, ...body.reasons, p?.errorType, p?.code, p?.message, ...page, idWords]
    .filter((x): x is string => typeof x === 'string' && x.length > 0)
    .join('\n');
  const wait = retryAfter(headers, body, haystack, now);
  return {
    failure,
    ctx,
    body,
    kind: failure.kind,
    status,
    statusSource,
    inBand,
    errorType,
    code,
    message,
    haystack,
    idWords,
    headers,
    network: `${failure.networkCode ?? ''}\n${failure.networkMessage ?? ''}`,
    retryAfterSec: wait?.sec,
    retryAfterFrom: wait?.from,
    now,
  };
}
