import type { Diagnosis, KeyKind } from '../core/types.js';
import type { ResolvedConfig } from './resolve.js';
import { inspectKey, kindLabel } from '../core/keys.js';
import { diagnoseById } from '../diagnosis/engine.js';

/** The kind of key each setting must hold. */
const EXPECTED: Record<'apiKey' | 'billingKey', { kind: KeyKind; label: string; routes: string }> = {
  apiKey: { kind: 'proxy', label: 'proxy key (ms-)', routes: '/v1 inference endpoints' },
  billingKey: { kind: 'billing', label: 'billing key (mk-)', routes: '/api account endpoints' },
};

/**
 * Checks, with no request, that the key for a role is present, well formed and of the right kind.
 * Returns the diagnosis of the first problem, or undefined when the key can be sent.
 */
export function checkKey(role: 'apiKey' | 'billingKey', config: ResolvedConfig): Diagnosis | undefined {
  const setting = config[role];
  const want = EXPECTED[role];
  const ev = {};
  if (setting.value === undefined) {
    return diagnoseById(role === 'apiKey' ? 'config.missing-api-key' : 'config.missing-billing-key', ev);
  }
  const info = inspectKey(setting.value);
  const from = `the ${want.label.replace(/ \(.*\)/, '')} from ${setting.source}`;
  if (info.problems.length > 0) {
    return diagnoseById('key.malformed', ev, info.problems.map((p) => `${from} ${p}`), { keyRole: role });
  }
  if (info.kind === 'foreign') {
    return diagnoseById('key.foreign-format', ev, [`${from} looks like ${info.foreign}, not a ModelSwitch ${want.label}`], { keyRole: role });
  }
  if (info.kind === want.kind || (role === 'billingKey' && info.kind === 'jwt')) return undefined;
  if (info.kind === 'unknown') {
    return diagnoseById('key.malformed', ev, [`${from} does not start with "${want.kind === 'proxy' ? 'ms-' : 'mk-'}": ModelSwitch ${want.label}s always do`], { keyRole: role });
  }
  const other = role === 'apiKey' ? 'billingKey' : 'apiKey';
  const otherValue = config[other].value;
  if (otherValue !== undefined && info.kind === EXPECTED[other].kind && inspectKey(otherValue).kind === want.kind) {
    return diagnoseById('key.swapped', ev, [
      `${from} is a ${kindLabel(info.kind)}, and the ${EXPECTED[other].label.replace(/ \(.*\)/, '')} from ${config[other].source} is a ${kindLabel(want.kind)}: the two are swapped`,
    ]);
  }
  return diagnoseById('key.wrong-kind', ev, [`${from} is a ${kindLabel(info.kind)}; ${want.routes} need a ${want.label}`]);
}

/**
 * Everything known with no request before sending to a path of `role`: a bad base URL, then the key.
 * `evidence` names the request that was not sent.
 */
export function preflight(role: 'apiKey' | 'billingKey', config: ResolvedConfig, evidence: { method: string; endpoint: string }): Diagnosis | undefined {
  const d = config.baseUrlProblem ? diagnoseById('config.bad-base-url', {}, [config.baseUrlProblem]) : (untrustedBaseUrl(role, config) ?? checkKey(role, config));
  return d && { ...d, evidence: { ...d.evidence, ...evidence } };
}

/** The diagnosis when the key of `role` may not go to the base URL (see hostScope in resolve.ts). */
export function untrustedBaseUrl(role: 'apiKey' | 'billingKey', config: ResolvedConfig): Diagnosis | undefined {
  const why = config.untrustedBaseUrl?.[role];
  if (!why) return undefined;
  const url = config.baseUrl.value;
  const file = config.baseUrl.source;
  const d = diagnoseById('config.untrusted-base-url', {}, [`${why.charAt(0).toUpperCase()}${why.slice(1)}.`]);
  return { ...d, remedies: d.remedies.map((r) => r.replaceAll('<url>', url ?? '<url>').replaceAll('<path>', file)) };
}
