/** Small named predicates over the facts, for the rules' `all` lists. One question each. */
import type { Facts } from './facts.js';
import { DEFAULT_RETRY_LIMITS } from '../http/retry.js';
import { NEAR_ZERO_USD, nearZero } from './small-balance.js';

export type Predicate = (f: Facts) => boolean;

export { NEAR_ZERO_USD };
/** apidoctor does not wait longer than this for a Retry-After (seconds): the client's own cap, one constant. */
export const MAX_WAIT_SEC = DEFAULT_RETRY_LIMITS.maxWaitMs / 1000;

const between = (s: number | undefined, lo: number, hi: number): boolean => s !== undefined && s >= lo && s <= hi;

/** An error status, or none known (a bare body for `explain`): body texts may decide. */
export const errorOrUnknownStatus: Predicate = (f) => f.status === undefined || f.status >= 400;

/** A 4xx, or none known. */
export const clientErrorOrUnknown: Predicate = (f) => f.status === undefined || between(f.status, 400, 499);

export const successStatus: Predicate = (f) => between(f.status, 200, 299);

/** A streamed answer went wrong: the caller said so, or an event stream ended without its terminator. */
export const streamFailed: Predicate = (f) => f.kind === 'stream' || (f.body.format === 'sse' && f.body.sseDone === false);

/** The key sent was a billing key (by its shape or by the setting it came from). */
export const billingKeyUsed: Predicate = (f) =>
  f.ctx.keyKind === 'billing' || (f.ctx.keyKind === undefined && f.ctx.keyRole === 'billingKey');

/** A billing key (or a JWT) went to /v1, or a proxy key to /api. */
export const keyKindMismatch: Predicate = (f) => {
  const ep = f.failure.endpoint ?? '';
  const kind = f.ctx.keyKind;
  if (/^\/v1(\/|$|\?)/.test(ep)) return kind === 'billing' || kind === 'jwt';
  if (/^\/api(\/|$|\?)/.test(ep)) return kind === 'proxy';
  return false;
};

export const balanceKnown: Predicate = (f) => typeof f.ctx.followUp?.balance === 'number';
export const balanceNearZero: Predicate = (f) => balanceKnown(f) && nearZero(f.ctx.followUp?.balance ?? 0);
export const balanceFine: Predicate = (f) => balanceKnown(f) && !nearZero(f.ctx.followUp?.balance ?? 0);

/** The used key's expiresAt has passed. */
export function keyExpired(f: Facts): boolean {
  const at = f.ctx.followUp?.keyRecord?.expiresAt;
  const t = at ? Date.parse(at) : NaN;
  return Number.isFinite(t) && t <= f.now;
}

export const keyRecordInactive: Predicate = (f) => f.ctx.followUp?.keyRecord?.active === false;
export const keyRecordExpired: Predicate = (f) => f.ctx.followUp?.keyRecord?.active === true && keyExpired(f);
export const keyRecordUsable: Predicate = (f) => f.ctx.followUp?.keyRecord?.active === true && !keyExpired(f);

/** "Requested 31538 … Limit 30000", or "Request too large": one request alone is over the limit. */
export const requestExceedsLimit: Predicate = (f) => {
  if (/request too large|exceeds? the (token |rate )?limit for a single request/i.test(f.haystack)) return true;
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(f.haystack);
    return m?.[1] ? Number(m[1].replace(/,/g, '')) : undefined;
  };
  // xAI: "Tokens per Minute (actual/limit): 65605/16000". What was counted before this request was at most the
  // limit, so an actual of twice the limit or more means this request alone is over it.
  const al = /tokens per (?:second|minute|hour|day)\s*\(actual\/limit\):\s*(\d+)\s*\/\s*(\d+)/i.exec(f.haystack);
  if (al?.[1] && al[2] && Number(al[1]) >= 2 * Number(al[2])) return true;
  const requested = num(/requested:?\s*~?\s*(\d(?:[\d,]*\d)?)/i);
  const limit = num(/limit:?\s*~?\s*(\d(?:[\d,]*\d)?)/i);
  return requested !== undefined && limit !== undefined && requested > limit;
};

/** The server asked to wait longer than apidoctor ever waits. */
export const longRetryAfter: Predicate = (f) => (f.retryAfterSec ?? 0) > MAX_WAIT_SEC;

/** A CDN bot check or firewall block page, not the API. */
export const cdnChallengeOrBlock: Predicate = (f) => f.body.cdnChallenge === true || f.body.cdnBlock === true;

/** Cloudflare's origin errors 520–527, by status or by the page's "error code". */
export const cloudflareOriginError: Predicate = (f) =>
  between(f.status, 520, 527) || (between(f.status, 500, 599) && between(f.body.cdnErrorCode, 520, 527));

/** The body is a page made by a proxy or CDN (or any HTML page), not the API's JSON. */
export const proxyPage: Predicate = (f) => f.body.format === 'html' || (f.body.format === 'text' && f.body.vendorHint !== undefined);

/** A gateway relayed the provider's own error (OpenRouter's metadata.raw). */
export const hasProviderError: Predicate = (f) => Boolean(f.body.provider?.message);

export const hasLocation: Predicate = (f) => Boolean(f.headers.location);

/** The body is not JSON or SSE (an HTML page, text, binary, nothing), or JSON that did not parse. */
export const notJsonBody: Predicate = (f) => !['json', 'sse'].includes(f.body.format) || f.body.malformedJson === true;

/** The error's type or code says rate limit (not a quota of money). */
export const rateLimitType: Predicate = (f) =>
  /rate[_ ]?limit|throttl|too_many_requests/i.test(
    `${f.errorType ?? ''} ${f.code ?? ''} ${f.body.provider?.errorType ?? ''} ${f.body.provider?.code ?? ''}`,
  );

/** What the server said in words (its message, and a relayed provider's), not type codes or quota ids. */
const said = (f: Facts): string => [f.message, f.body.provider?.message].filter(Boolean).join('\n');

/** The message names a counting window ("5-hour usage limit", "per minute", "RPD"): a rate window, not a budget. */
export const windowedLimit: Predicate = (f) =>
  /\b\d+[- ]?(second|minute|hour|day|week)s?\b|\b(per|every)[- ](second|minute|hour|day|week)\b|-per-(minute|hour|day)\b|\b(hourly|daily|weekly)\b|\b(RPM|TPM|RPD|TPD)\b/i.test(
    said(f),
  );

/** The message names a window of an hour or more (a daily quota, a 5-hour plan window): it will not clear soon. */
export const longWindowLimit: Predicate = (f) =>
  /\b\d+[- ]?(hour|day|week)s?\b[^.\n]{0,40}\b(limit|quota)|\b(per|every|a)[- ](hour|day|week)\b|-per-(hour|day|week)\b|\b(hourly|daily|weekly)\b[^.\n]{0,30}\b(limit|quota)|\b(RPD|TPD)\b|\b(requests|tokens) per day\b/i.test(
    said(f),
  );

/** AWS's LimitExceededException: a usage plan's quota (per day, week or month) is used up, not a per-second throttle. */
export const quotaExceededType: Predicate = (f) => /^LimitExceededException$/.test(f.errorType ?? '');
