/** The diagnoses of problems found with no request (src/config/key-check.ts names them; this says them). */
import type { Diagnosis } from '../core/types.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { keyProblem, preflightProblem, untrustedBaseUrlProblem, type KeyProblem } from '../config/key-check.js';
import { diagnoseById } from './engine.js';

/** The catalogue's diagnosis of a problem, its notes and placeholders filled in. */
export function diagnoseProblem(p: KeyProblem): Diagnosis {
  const d = diagnoseById(p.id, {}, p.notes, p.keyRole ? { keyRole: p.keyRole } : {});
  const fill = p.fill;
  if (!fill) return d;
  return { ...d, remedies: d.remedies.map((r) => Object.entries(fill).reduce((text, [k, v]) => text.replaceAll(k, v), r)) };
}

/** The diagnosis of the first problem with the key of a role, or undefined when it can be sent. */
export function checkKey(role: 'apiKey' | 'billingKey', config: ResolvedConfig): Diagnosis | undefined {
  const p = keyProblem(role, config);
  return p && diagnoseProblem(p);
}

/** The diagnosis when the key of `role` may not go to the base URL. */
export function untrustedBaseUrl(role: 'apiKey' | 'billingKey', config: ResolvedConfig): Diagnosis | undefined {
  const p = untrustedBaseUrlProblem(role, config);
  return p && diagnoseProblem(p);
}

/**
 * Everything known with no request before sending to a path of `role`: a bad base URL, then the key.
 * `evidence` names the request that was not sent.
 */
export function preflight(
  role: 'apiKey' | 'billingKey',
  config: ResolvedConfig,
  evidence: { method: string; endpoint: string },
): Diagnosis | undefined {
  const p = preflightProblem(role, config);
  if (!p) return undefined;
  const d = diagnoseProblem(p);
  return { ...d, evidence: { ...d.evidence, ...evidence } };
}
