/**
 * The failure pipeline's one step from a Failure to a Diagnosis for everything that sends requests (`call`,
 * `balance`, `keys`, doctor's checks, `explain --probe`): the diagnosis context made from the configuration,
 * the 402/403 follow-up asked once where it applies, then diagnose(). See ARCHITECTURE.md.
 */
import type { Diagnosis, DiagnoseContext, Failure, FollowUpEvidence, KeyKind } from '../core/types.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { inspectKey } from '../core/keys.js';
import { diagnose, isRetryable } from '../diagnosis/engine.js';
import type { Api } from './api.js';
import { billingKeyProbe, billingKeyUsable, followUp } from './account.js';

type Role = 'apiKey' | 'billingKey';

/** What the pipeline reads of a command's context (its `out` is render/output.ts's Output; only this is used). */
export interface FailureContext {
  config: ResolvedConfig;
  api: Api;
  out: { err(text: string): void; debug(line: string): void; style: { dim(text: string): string } };
}

/**
 * Where follow-up evidence comes from: the account's own endpoints (accountFollowUp), or, in doctor, what its
 * billing checks already read. A follow-up a source does not offer is not asked.
 */
export interface FollowUpSource {
  /** Whether a billing key could settle an open refusal (the diagnosis says so, or says to configure one). */
  hasBillingKey: boolean;
  /** After the proxy key's 402/403: the balance and the key's own record. */
  refusal?: (f: Pick<Failure, 'status'>) => Promise<FollowUpEvidence | undefined>;
  /** After the billing key's 401/403 from GET /api/balance: whether GET /api/keys takes the key itself. */
  billingRefusal?: (f: Pick<Failure, 'status'>) => Promise<FollowUpEvidence | undefined>;
}

/** Which follow-up a failure calls for, if any: the one place that decides when the probes apply. */
export function followUpFor(f: Pick<Failure, 'status' | 'endpoint'>, role: Role | undefined): 'refusal' | 'billingRefusal' | undefined {
  const s = f.status;
  if ((s === 402 || s === 403) && role === 'apiKey') return 'refusal';
  // The endpoint is the URL's path, after any path of the base URL.
  if ((s === 401 || s === 403) && role === 'billingKey' && /\/api\/balance\/?$/.test((f.endpoint ?? '').split('?')[0]!))
    return 'billingRefusal';
  return undefined;
}

/**
 * The follow-ups asked of the account with the configured billing key. `refusal`: GET /api/balance and GET /api/keys
 * together (only with a usable billing key), said on stderr first; `billingRefusal`: GET /api/keys.
 */
export function accountFollowUp(ctx: FailureContext, offer: { refusal?: boolean; billingRefusal?: boolean }): FollowUpSource {
  const { config, api, out } = ctx;
  return {
    hasBillingKey: billingKeyUsable(config),
    refusal: offer.refusal
      ? async (f) => {
          if (!billingKeyUsable(config)) return undefined;
          out.err(`${out.style.dim(`HTTP ${f.status}: asking GET /api/balance and GET /api/keys to find out why…`)}\n`);
          return followUp(api, config.apiKey.value);
        }
      : undefined,
    billingRefusal: offer.billingRefusal ? () => billingKeyProbe(api, (l) => out.debug(l)) : undefined,
  };
}

/** The kind of the key configured for a role, if one is. */
function kindFor(config: ResolvedConfig, role: Role | undefined): KeyKind | undefined {
  const key = role ? config[role].value : undefined;
  return key ? inspectKey(key).kind : undefined;
}

/** The diagnosis context of a request sent with the key of `role`. */
export function diagnoseContext(config: ResolvedConfig, role: Role | undefined, extra: DiagnoseContext = {}): DiagnoseContext {
  return { keyKind: kindFor(config, role), keyRole: role, baseUrl: config.baseUrl.value, ...extra };
}

/**
 * For the client's retries: whether a retry can help a request sent with the key of `role`. Cheap and pure
 * (the deciding rule only, no diagnosis built, no request made).
 */
export function retryableFor(config: ResolvedConfig, role: Role | undefined): (f: Failure) => boolean {
  const ctx = diagnoseContext(config, role);
  return (f) => isRetryable(f, ctx);
}

/**
 * A failed request's diagnosis, with no request made: the context made from the configuration (the key's role and
 * kind, whether a billing key could settle an open refusal) and the follow-up evidence given, if any.
 */
export function diagnoseFailure(
  config: ResolvedConfig,
  failure: Failure,
  opts: { role: Role | undefined; keyKind?: KeyKind | null; hasBillingKey?: boolean; evidence?: FollowUpEvidence },
): Diagnosis {
  const keyKind = opts.keyKind === undefined ? kindFor(config, opts.role) : (opts.keyKind ?? undefined);
  return diagnose(
    failure,
    diagnoseContext(config, opts.role, { keyKind, hasBillingKey: opts.hasBillingKey ?? billingKeyUsable(config), followUp: opts.evidence }),
  );
}

/**
 * The one way from a failed request to its diagnosis when a follow-up may apply: asks the follow-up the failure
 * calls for (followUpFor), once, and only if `source` offers it; then diagnoseFailure().
 */
export async function diagnoseWithFollowUp(
  config: ResolvedConfig,
  failure: Failure,
  opts: { role: Role | undefined; source: FollowUpSource },
): Promise<{ diagnosis: Diagnosis; followUp?: FollowUpEvidence }> {
  const which = followUpFor(failure, opts.role);
  const ask = which && opts.source[which];
  const evidence = ask ? await ask(failure) : undefined;
  return {
    diagnosis: diagnoseFailure(config, failure, { role: opts.role, hasBillingKey: opts.source.hasBillingKey, evidence }),
    followUp: evidence,
  };
}
