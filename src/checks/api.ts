import type { CheckApi, CheckOutcome } from './runner.js';
import type { DoctorContext } from './context.js';
import type { Attempt, Failure, FollowUpEvidence } from '../core/types.js';
import type { HttpRequest } from '../http/client.js';
import { DEFAULT_RETRY_LIMITS } from '../http/retry.js';
import { SHAPES } from '../api/api.js';
import {
  toKeyRecords,
  matchKeyRecord,
  daysUntil,
  daysLeftText,
  expiringDiagnosis,
  followUpRecord,
  type KeyRecord,
} from '../api/account.js';
import { diagnoseById } from '../diagnosis/engine.js';
import { SMALL_FACTOR, nearMinimum, nearZero } from '../diagnosis/small-balance.js';
import { diagnoseFailure, diagnoseWithFollowUp, retryableFor, type FollowUpSource } from '../api/diagnose-failure.js';
import { redactor } from '../core/redact.js';
import { formatSeconds, usd as formatUsd } from '../core/format.js';

export const host = (ctx: DoctorContext) => new URL(ctx.config.baseUrl.value!).host;

/**
 * Retries as `call` does (429, 500, 502, 503, up to 3 times, Retry-After honoured; not when the body
 * says a retry cannot help), so that one transient 429 or 503 does not fail a CI health check. The waits
 * are bounded by the timeout, so a check's requests and waits stay within its deadline (2 × timeout + 1 s).
 */
function retrying(ctx: DoctorContext, role: 'apiKey' | 'billingKey'): Partial<HttpRequest> {
  return {
    retries: 3,
    retryLimits: { maxWaitMs: Math.min(DEFAULT_RETRY_LIMITS.maxWaitMs, ctx.timeoutMs), maxTotalWaitMs: ctx.timeoutMs },
    isRetryable: retryableFor(ctx.config, role),
  };
}

/** " (3 attempts: 429, 429, 200)" when a request needed more than one, else "". */
function attemptsNote(attempts: readonly Attempt[] | undefined): string {
  if (!attempts || attempts.length < 2) return '';
  return ` (${attempts.length} attempts: ${attempts.map((a) => a.status ?? a.networkCode ?? 'no answer').join(', ')})`;
}

/**
 * A check's failed request: diagnosed through the one pipeline, the 402/403 follow-up read from the billing checks
 * that run alongside (they asked GET /api/balance and GET /api/keys already).
 */
export async function failed(
  ctx: DoctorContext,
  api: CheckApi,
  f: Failure,
  what: string,
  role: 'apiKey' | 'billingKey' = 'apiKey',
): Promise<CheckOutcome> {
  const { diagnosis: d } = await diagnoseWithFollowUp(ctx.config, f, { role, source: billingChecksFollowUp(ctx, api) });
  // The message as the diagnosis read it from the body (parsed once, there).
  const got = failureWhy({ ...f, message: f.message ?? d.evidence.message }, ctx.timeoutMs);
  return {
    status: 'fail',
    detail: `${what}: ${got}${attemptsNote(f.attempts)}`,
    diagnosis: d,
    evidence: { status: f.status, networkCode: f.networkCode },
  };
}

/** doctor's follow-up source: what the billing checks read, not new requests. */
function billingChecksFollowUp(ctx: DoctorContext, api: CheckApi): FollowUpSource {
  return {
    hasBillingKey: ctx.config.billingKey.value !== undefined,
    refusal: () => evidenceFromBilling(ctx, api),
    // GET /api/keys refused the billing key too: the key itself is bad (not a dashboard token).
    billingRefusal: async () => {
      const keys = await api.result('api.billing-key');
      return keys.status === 'fail' && (keys.evidence?.status === 401 || keys.evidence?.status === 403)
        ? { billingKeyAccepted: false }
        : undefined;
    },
  };
}

/** Why a request failed, in words a row can carry: the status and message, why a 200 was refused, why no answer came. */
export function failureWhy(f: Failure, timeoutMs?: number): string {
  const secs = formatSeconds;
  if (f.status !== undefined) {
    if (f.unexpectedBody === 'not-json')
      return `HTTP ${f.status}, but the body is not JSON${f.expected ? ` (expected ${f.expected})` : ''}`;
    if (f.unexpectedBody === 'bad-shape') return `HTTP ${f.status}, but the JSON is not ${f.expected ?? 'the expected shape'}`;
    // Masked before it is cut: a cut would leave a part of an echoed key that the redactor no longer knows.
    return `HTTP ${f.status}${f.message ? ` "${redactor.redact(f.message).slice(0, 80)}"` : ''}`;
  }
  const code = f.networkCode;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT')
    return `no answer within ${timeoutMs !== undefined ? secs(timeoutMs) : 'the timeout'} (${code})`;
  if (code === 'UND_ERR_BODY_TIMEOUT')
    return `the body stalled${timeoutMs !== undefined ? ` for ${secs(timeoutMs)}` : ''} after the headers came (${code})`;
  if (code === 'ECONNREFUSED') return `connection refused (${code})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name did not resolve (${code})`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `the connection was cut (${code})`;
  return code ?? 'no answer';
}

/** Builds 402/403 follow-up evidence from the billing checks, which run alongside. */
async function evidenceFromBilling(ctx: DoctorContext, api: CheckApi): Promise<FollowUpEvidence | undefined> {
  if (ctx.config.billingKey.value === undefined) return undefined;
  const [bal, keys] = await Promise.all([api.result('api.balance'), api.result('api.billing-key')]);
  const ev: FollowUpEvidence = {};
  if (typeof bal.evidence?.balance === 'number') ev.balance = bal.evidence.balance;
  else ev.balanceError = bal.detail;
  const records = keys.evidence?.keys as KeyRecord[] | undefined;
  if (records) {
    const rec = matchKeyRecord(records, ctx.config.apiKey.value);
    ev.keyRecord = followUpRecord(rec);
  } else ev.keysError = keys.detail;
  return ev;
}

/** The proxy key against GET /v1/models (free: spends nothing). */
export async function proxyKeyCheck(ctx: DoctorContext, api: CheckApi): Promise<CheckOutcome> {
  api.waitingOn(host(ctx));
  const r = await ctx.api.json<unknown>('GET', '/v1/models', SHAPES.models, retrying(ctx, 'apiKey'));
  if (!r.ok) {
    return failed(ctx, api, r.failure, 'GET /v1/models');
  }
  const list = (Array.isArray(r.data) ? r.data : (r.data as { data: unknown[] }).data) as Array<{ id?: unknown }>;
  const models = list.map((m) => (typeof m === 'string' ? m : String(m?.id ?? ''))).filter(Boolean);
  return {
    status: 'pass',
    detail: `accepted: ${models.length} models listed${attemptsNote(r.res.attempts)}`,
    evidence: { models, rawModels: list, timings: r.res.attempts.at(-1)?.timings },
  };
}

/** The billing key against GET /api/keys. */
export async function billingKeyCheck(ctx: DoctorContext, api: CheckApi): Promise<CheckOutcome> {
  api.waitingOn(host(ctx));
  const r = await ctx.api.json<unknown>('GET', '/api/keys', SHAPES.keys, retrying(ctx, 'billingKey'));
  if (!r.ok) return failed(ctx, api, r.failure, 'GET /api/keys', 'billingKey');
  const keys = toKeyRecords(r.data);
  const active = keys.filter((k) => k.active).length;
  return {
    status: 'pass',
    detail: `accepted: ${keys.length} proxy keys on the account, ${active} active${attemptsNote(r.res.attempts)}`,
    evidence: { keys },
  };
}

/** The balance against --min-balance; small but positive is a warning (a hold precedes each request). */
export async function balanceCheck(ctx: DoctorContext, api: CheckApi): Promise<CheckOutcome> {
  api.waitingOn(host(ctx));
  const r = await ctx.api.json<{ balance: number }>('GET', '/api/balance', SHAPES.balance, retrying(ctx, 'billingKey'));
  if (!r.ok) {
    const f = r.failure;
    // The docs show a dashboard JWT for /api/balance; an mk- key refused here is not necessarily bad: accepted by
    // GET /api/keys, it is a warning. Refused there too, the key is bad: failed() reads that from the key check.
    if ((f.status === 401 || f.status === 403) && (await api.result('api.billing-key')).status === 'pass') {
      const d = diagnoseFailure(ctx.config, f, { role: 'billingKey', hasBillingKey: true });
      return {
        status: 'warn',
        detail: `GET /api/balance refused the billing key (HTTP ${f.status}) although GET /api/keys accepted it: this route may need a dashboard token`,
        diagnosis: d.id === 'access.dashboard-token' ? d : { ...diagnoseById('access.dashboard-token', d.evidence), evidence: d.evidence },
      };
    }
    return failed(ctx, api, f, 'GET /api/balance', 'billingKey');
  }
  const b = r.data.balance;
  const min = ctx.minBalance;
  const usd = (n: number) => `${formatUsd(n)} USD`;
  const evidence = { balance: b, min };
  if (b <= 0)
    return {
      status: 'fail',
      detail: `${usd(b)}: requests are refused until you top up`,
      diagnosis: diagnoseById('balance.insufficient', { balance: b }),
      evidence,
    };
  if (b < min) {
    const whose = ctx.minBalanceSet
      ? `the minimum you set is ${usd(min)} (--min-balance)`
      : `doctor's default minimum is ${usd(min)} (set another with --min-balance)`;
    return {
      status: 'fail',
      detail: `${usd(b)} is below the minimum of ${usd(min)}`,
      diagnosis: diagnoseById('balance.below-minimum', { balance: b }, [`The balance is ${usd(b)}; ${whose}.`]),
      evidence,
    };
  }
  if (nearMinimum(b, min, SMALL_FACTOR.doctor) || nearZero(b)) {
    return {
      status: 'warn',
      detail: `${usd(b)}: above the minimum of ${usd(min)} but small — ModelSwitch places a hold for each request's estimated cost, so requests can fail before the balance reaches 0`,
      evidence,
    };
  }
  return { status: 'pass', detail: `${usd(b)} (minimum ${usd(min)})${attemptsNote(r.res.attempts)}`, evidence };
}

/** The configured proxy key's own record in the key list, matched by prefix. */
export async function keyRecordCheck(ctx: DoctorContext, api: CheckApi): Promise<CheckOutcome> {
  const keys = await api.result('api.billing-key');
  const records = (keys.evidence?.keys as KeyRecord[] | undefined) ?? [];
  const rec = matchKeyRecord(records, ctx.config.apiKey.value);
  if (!rec) {
    // A key the API accepts but this account does not list belongs to another account: worth saying, not a failure.
    if ((await api.result('api.proxy-key')).status === 'pass') {
      return {
        status: 'warn',
        detail: "the proxy key works but is not in this billing key's account: the two keys belong to different accounts",
      };
    }
    const d = diagnoseById(
      'auth.invalid-key',
      {},
      ["The proxy key is not in the account's key list: it was deleted, or it belongs to another account than the billing key."],
      { keyRole: 'apiKey' },
    );
    return { status: 'fail', detail: "the proxy key is not in the account's key list (deleted, or another account)", diagnosis: d };
  }
  const days = daysUntil(rec.expiresAt);
  const label = `#${rec.id}${rec.name ? ` "${rec.name}"` : ''} (${rec.prefix})`;
  if (!rec.active) {
    return {
      status: 'fail',
      detail: `${label} is deactivated`,
      diagnosis: diagnoseById('auth.deactivated-key', { keyActive: false }, [
        `Key ${label} has active: false. Reactivate it: apidoctor keys activate ${rec.id}`,
      ]),
      evidence: { key: rec },
    };
  }
  if (days !== undefined && days <= 0) {
    return {
      status: 'fail',
      detail: `${label} expired on ${rec.expiresAt}`,
      diagnosis: diagnoseById('auth.deactivated-key', { keyActive: false }, [
        `Key ${label} expired on ${rec.expiresAt}; expired keys are deactivated automatically. Create a new one: apidoctor keys create --name <name>`,
      ]),
      evidence: { key: rec },
    };
  }
  if (days !== undefined && days <= 7) {
    return {
      status: 'warn',
      detail: `${label} is active but expires in ${daysLeftText(days)} (${rec.expiresAt}); rotate it: apidoctor keys rotate ${rec.id} --name <new name>`,
      diagnosis: expiringDiagnosis(rec, days),
      evidence: { key: rec, daysLeft: days },
    };
  }
  return {
    status: 'pass',
    detail: `${label} is active${rec.expiresAt && days !== undefined ? `, expires in ${daysLeftText(days)}` : ', no expiry'}`,
    evidence: { key: rec },
  };
}
