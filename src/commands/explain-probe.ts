/** `explain --probe`: the 402/403 follow-up `call` runs, for a saved answer of the configured account. */
import type { Context } from '../context.js';
import type { FollowUpEvidence } from '../types.js';
import { billingKeyUsable, settleOpenRefusal } from '../api/account.js';
import { dumpHost } from '../diagnosis/failure.js';

/** The --probe follow-up, or why there was none. */
export async function probeFor(ctx: Context, text: string, status: number | undefined, role: 'apiKey' | 'billingKey'): Promise<{ followUp?: FollowUpEvidence; why?: string }> {
  if (status !== 402 && status !== 403) return { why: `--probe: nothing to ask: only an open 402 or 403 is settled by asking the account (this is ${status ?? 'no status'}).` };
  if (role !== 'apiKey') return { why: '--probe: not asked: the refused request was an account route (/api), whose key is the billing key itself.' };
  if (!billingKeyUsable(ctx.config)) return { why: "--probe: not asked: no usable billing key is configured (export MODELSWITCH_BILLING_KEY='mk-…')." };
  if (ctx.config.baseUrlProblem) return { why: `--probe: not asked: the configured base URL is unusable (${ctx.config.baseUrlProblem}).` };
  const mine = new URL(ctx.config.baseUrl.value!).host.toLowerCase();
  const theirs = dumpHost(text);
  if (theirs !== undefined && theirs !== mine) {
    return { why: `--probe: not asked: the dump came from ${theirs}, the configured base URL is ${mine}; a dump from someone else's account says nothing about yours.` };
  }
  return { followUp: await settleOpenRefusal(ctx, status, role) };
}

