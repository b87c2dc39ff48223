/**
 * Checks, with no request, that a key can be sent: present, well formed, of the right kind, to a base URL the key
 * may go to. A check names the problem (a diagnosis id and the sentences that say what it saw); the diagnosis of it
 * is made in src/diagnosis/key-problem.ts, so that config/ needs nothing of diagnosis/.
 */
import type { KeyKind } from '../core/types.js';
import type { ResolvedConfig } from './resolve.js';
import { inspectKey, kindLabel } from '../core/keys.js';

/** A problem found with no request: the catalogue id that names it and what was seen. */
export interface KeyProblem {
  id:
    | 'config.missing-api-key'
    | 'config.missing-billing-key'
    | 'key.malformed'
    | 'key.foreign-format'
    | 'key.swapped'
    | 'key.wrong-kind'
    | 'config.untrusted-base-url'
    | 'config.bad-base-url';
  notes: string[];
  /** The role of the key the problem is about, when the diagnosis's advice depends on it. */
  keyRole?: 'apiKey' | 'billingKey';
  /** Placeholders to fill in the catalogue's remedies (<url>, <path>). */
  fill?: Record<string, string>;
}

/** The kind of key each setting must hold. */
const EXPECTED: Record<'apiKey' | 'billingKey', { kind: KeyKind; label: string; routes: string }> = {
  apiKey: { kind: 'proxy', label: 'proxy key (ms-)', routes: '/v1 inference endpoints' },
  billingKey: { kind: 'billing', label: 'billing key (mk-)', routes: '/api account endpoints' },
};

/**
 * Checks, with no request, that the key for a role is present, well formed and of the right kind.
 * Returns the first problem, or undefined when the key can be sent.
 */
export function keyProblem(role: 'apiKey' | 'billingKey', config: ResolvedConfig): KeyProblem | undefined {
  const setting = config[role];
  const want = EXPECTED[role];
  if (setting.value === undefined) {
    return { id: role === 'apiKey' ? 'config.missing-api-key' : 'config.missing-billing-key', notes: [] };
  }
  const info = inspectKey(setting.value);
  const from = `the ${want.label.replace(/ \(.*\)/, '')} from ${setting.source}`;
  if (info.problems.length > 0) {
    return { id: 'key.malformed', notes: info.problems.map((p) => `${from} ${p}`), keyRole: role };
  }
  if (info.kind === 'foreign') {
    return { id: 'key.foreign-format', notes: [`${from} looks like ${info.foreign}, not a ModelSwitch ${want.label}`], keyRole: role };
  }
  if (info.kind === want.kind || (role === 'billingKey' && info.kind === 'jwt')) return undefined;
  if (info.kind === 'unknown') {
    return {
      id: 'key.malformed',
      notes: [`${from} does not start with "${want.kind === 'proxy' ? 'ms-' : 'mk-'}": ModelSwitch ${want.label}s always do`],
      keyRole: role,
    };
  }
  const other = role === 'apiKey' ? 'billingKey' : 'apiKey';
  const otherValue = config[other].value;
  if (otherValue !== undefined && info.kind === EXPECTED[other].kind && inspectKey(otherValue).kind === want.kind) {
    return {
      id: 'key.swapped',
      notes: [
        `${from} is a ${kindLabel(info.kind)}, and the ${EXPECTED[other].label.replace(/ \(.*\)/, '')} from ${config[other].source} is a ${kindLabel(want.kind)}: the two are swapped`,
      ],
    };
  }
  return { id: 'key.wrong-kind', notes: [`${from} is a ${kindLabel(info.kind)}; ${want.routes} need a ${want.label}`] };
}

/** The problem when the key of `role` may not go to the base URL (see hostScope in resolve.ts). */
export function untrustedBaseUrlProblem(role: 'apiKey' | 'billingKey', config: ResolvedConfig): KeyProblem | undefined {
  const why = config.untrustedBaseUrl?.[role];
  if (!why) return undefined;
  return {
    id: 'config.untrusted-base-url',
    notes: [`${why.charAt(0).toUpperCase()}${why.slice(1)}.`],
    fill: { '<url>': config.baseUrl.value ?? '<url>', '<path>': config.baseUrl.source },
  };
}

/** Everything known with no request before sending to a path of `role`: a bad base URL, then the key. */
export function preflightProblem(role: 'apiKey' | 'billingKey', config: ResolvedConfig): KeyProblem | undefined {
  if (config.baseUrlProblem) return { id: 'config.bad-base-url', notes: [config.baseUrlProblem] };
  return untrustedBaseUrlProblem(role, config) ?? keyProblem(role, config);
}

/** A key of `role` is configured and can be sent (no problem found). */
export function keyUsable(role: 'apiKey' | 'billingKey', config: ResolvedConfig): boolean {
  return config[role].value !== undefined && keyProblem(role, config) === undefined;
}
