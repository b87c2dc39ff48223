/** doctor's model checks: the configured model is listed (with "did you mean"), and --live's one completion. */
import type { CheckApi, CheckOutcome, CheckResult } from './runner.js';
import type { DoctorContext } from './context.js';
import { SHAPES } from '../api/api.js';
import { diagnoseById } from '../diagnosis/engine.js';
import { failed, host } from './api.js';

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** Models whose ids are close to `want`, best first. */
export function closeMatches(want: string, models: string[]): string[] {
  const w = want.toLowerCase();
  return models
    .map((m) => ({ m, d: m.toLowerCase().includes(w) || w.includes(m.toLowerCase()) ? 0 : distance(w, m.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(3, Math.floor(w.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ m }) => m);
}

/** The configured model is in /v1/models. */
export async function modelCheck(ctx: DoctorContext, api: CheckApi): Promise<CheckOutcome> {
  if (!ctx.model) return { status: 'skip', detail: 'no model configured (--model or APIDOCTOR_MODEL)' };
  const list = await api.result('api.proxy-key');
  const models = (list.evidence?.models as string[] | undefined) ?? [];
  if (models.includes(ctx.model)) return { status: 'pass', detail: `${ctx.model} is available` };
  const near = closeMatches(ctx.model, models);
  const note = near.length
    ? `Did you mean ${near.map((m) => `"${m}"`).join(', ')}?`
    : `It is not among the ${models.length} models listed.`;
  return {
    status: 'fail',
    detail: `${ctx.model} is not in /v1/models. ${note}`,
    diagnosis: diagnoseById('model.not-found', { endpoint: '/v1/models' }, [`"${ctx.model}" is not in GET /v1/models. ${note}`]),
    evidence: { closeMatches: near },
  };
}

/** Picks the model for --live: the configured one, else the cheapest listed chat model. */
function liveModel(ctx: DoctorContext, list: CheckResult): string | undefined {
  if (ctx.model) return ctx.model;
  const raw = (list.evidence?.rawModels as Array<Record<string, unknown>> | undefined) ?? [];
  const price = (m: Record<string, unknown>): number => {
    const nums = Object.entries(m).flatMap(([k, v]) =>
      /price|cost/i.test(k)
        ? typeof v === 'number'
          ? [v]
          : typeof v === 'object' && v
            ? Object.values(v).filter((x): x is number => typeof x === 'number')
            : []
        : [],
    );
    return nums.length ? nums.reduce((a, b) => a + b, 0) : Number.POSITIVE_INFINITY;
  };
  const chat = raw.filter((m) => typeof m.id === 'string' && !/embed|whisper|tts|dall-e|moderation|image/i.test(m.id as string));
  const sorted = [...chat].sort((a, b) => price(a) - price(b) || String(a.id).length - String(b.id).length);
  return (sorted[0]?.id as string | undefined) ?? (list.evidence?.models as string[] | undefined)?.[0];
}

/** --live: one chat completion with max_tokens 1 (costs a fraction of a cent). */
export async function liveCheck(ctx: DoctorContext, api: CheckApi): Promise<CheckOutcome> {
  const list = await api.result('api.proxy-key');
  const model = liveModel(ctx, list);
  if (!model) return { status: 'skip', detail: 'no model to try' };
  ctx.announce(`--live: sending one chat completion to ${model} with max_tokens 1 — this costs money (a fraction of a cent)`);
  api.waitingOn(host(ctx));
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
  const r = await ctx.api.json<unknown>('POST', '/v1/chat/completions', SHAPES.chat, { body, retries: 0 });
  if (!r.ok) {
    return failed(ctx, api, r.failure, `POST /v1/chat/completions (${model})`);
  }
  const ms = r.res.attempts.at(-1)?.timings.totalMs;
  return { status: 'pass', detail: `${model} answered${ms !== undefined ? ` in ${ms} ms` : ''}`, evidence: { model } };
}
