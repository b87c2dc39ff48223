/** `explain --probe`: the 402/403 follow-up `call` runs, for a saved answer of the configured account. */
import type { Context } from './context.js';
import type { FollowUpEvidence } from '../core/types.js';
import { billingKeyUsable } from '../api/account.js';
import { accountFollowUp } from '../api/diagnose-failure.js';
import { dumpHost, dumpKey } from '../diagnosis/failure.js';

/**
 * The --probe follow-up, or why there was none. The balance is the account's, whatever key was sent; the
 * key's own record (active, expiry) and its kind speak of the request only when the dump shows that key:
 * `call` knows it sent the configured proxy key, a saved answer may have been sent with any key (a billing
 * key sent to /v1 is refused too, and must not read as "by elimination, the spend limit").
 */
export async function probeFor(
  ctx: Context,
  text: string,
  status: number | undefined,
  role: 'apiKey' | 'billingKey',
): Promise<{ followUp?: FollowUpEvidence; why?: string }> {
  if (status !== 402 && status !== 403)
    return { why: `--probe: nothing to ask: only an open 402 or 403 is settled by asking the account (this is ${status ?? 'no status'}).` };
  if (role !== 'apiKey')
    return { why: '--probe: not asked: the refused request was an account route (/api), whose key is the billing key itself.' };
  // Checked before "usable": a key kept from a base URL that a project's config file chose is configured, and
  // saying it is not would send the user looking for a key they have.
  if (ctx.config.untrustedBaseUrl?.billingKey)
    return {
      why: `--probe: not asked: ${ctx.config.untrustedBaseUrl.billingKey}; the billing key is not sent there (config.untrusted-base-url).`,
    };
  if (!billingKeyUsable(ctx.config))
    return { why: "--probe: not asked: no usable billing key is configured (export MODELSWITCH_BILLING_KEY='mk-…')." };
  if (ctx.config.baseUrlProblem) return { why: `--probe: not asked: the configured base URL is unusable (${ctx.config.baseUrlProblem}).` };
  const mine = new URL(ctx.config.baseUrl.value!).host.toLowerCase();
  const theirs = dumpHost(text);
  if (theirs !== undefined && theirs !== mine) {
    return {
      why: `--probe: not asked: the dump came from ${theirs}, the configured base URL is ${mine}; a dump from someone else's account says nothing about yours.`,
    };
  }
  const followUp = await accountFollowUp(ctx, { refusal: true }).refusal!({ status });
  const sent = dumpKey(text);
  if (sent !== undefined && sent === ctx.config.apiKey.value) return { followUp };
  const accountOnly = followUp && { ...followUp, keyRecord: undefined };
  if (sent !== undefined) {
    return {
      followUp: accountOnly,
      why: '--probe: the dump shows another key than the configured proxy key was sent: only the account’s balance was taken into account, not the configured key’s record.',
    };
  }
  return {
    followUp: accountOnly,
    why: '--probe: the dump does not show which key was sent, so only the account’s balance was taken into account, not the configured proxy key’s record. Save the answer with curl -v (the key is masked in every output) to have the key checked too.',
  };
}
