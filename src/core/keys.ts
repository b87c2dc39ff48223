import type { KeyKind } from './types.js';

/** What apidoctor can tell about a key from its shape alone. */
export interface KeyInspection {
  kind: KeyKind;
  /** Problems with the raw value as given (whitespace, quotes, wrong-case prefix), human-readable. */
  problems: string[];
  /** For a foreign key, whose format it looks like. */
  foreign?: string;
  /** The key without the surrounding whitespace/quotes, for kind detection only (never sent). */
  cleaned: string;
}

/** Foreign formats, checked before ours so that `sk-ant-` is not read as something else. */
const FOREIGN: ReadonlyArray<readonly [RegExp, string]> = [
  [/^sk-ant-/, 'an Anthropic key (sk-ant-…)'],
  [/^sk-or-/, 'an OpenRouter key (sk-or-…)'],
  [/^sk-proj-/, 'an OpenAI project key (sk-proj-…)'],
  [/^sk-/, 'an OpenAI-style key (sk-…)'],
  [/^msk_/, 'a legacy ModelSwitch key (msk_…, from an old blog post and api.modelswitch.ru)'],
  [/^ms_(live|test)_/, 'a key of a different product named ModelSwitch (ms_live_/ms_test_, modelswitchai.tech)'],
  [/^AIza/, 'a Google API key (AIza…)'],
  [/^xai-/, 'an xAI key (xai-…)'],
  [/^gsk_/, 'a Groq key (gsk_…)'],
];

const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;

/** Detects the kind of an already-clean key. */
export function keyKind(key: string): KeyKind {
  if (key.startsWith('ms-')) return 'proxy';
  if (key.startsWith('mk-')) return 'billing';
  if (JWT.test(key)) return 'jwt';
  if (FOREIGN.some(([re]) => re.test(key))) return 'foreign';
  return 'unknown';
}

/** Longer than any key or dashboard token (a JWT is a few hundred characters): not a key, whatever it starts with. */
export const MAX_KEY_LENGTH = 8192;

/** Inspects a key as the user gave it: kind, and anything that would make the server reject it. */
export function inspectKey(raw: string): KeyInspection {
  const problems: string[] = [];
  let cleaned = raw;
  if (/[\r\n]/.test(cleaned))
    problems.push(
      /[\r\n]\s*$/.test(cleaned) ? 'ends with a newline (often from `echo` or a file read into a variable)' : 'contains a line break',
    );
  const trimmed = cleaned.trim();
  if (trimmed !== cleaned && !/[\r\n]/.test(cleaned)) problems.push('has spaces or tabs around it');
  cleaned = trimmed;
  const quoted = /^(["'`])(.*)\1$/s.exec(cleaned);
  if (quoted) {
    problems.push('is wrapped in quotes (the quotes became part of the key)');
    cleaned = (quoted[2] ?? '').trim();
  }
  if (/^bearer\s+/i.test(cleaned)) {
    problems.push('starts with "Bearer " (apidoctor adds the Authorization scheme itself)');
    cleaned = cleaned.replace(/^bearer\s+/i, '');
  }
  if (/\s/.test(cleaned)) problems.push('contains whitespace inside it');
  if (cleaned === '') problems.push('is empty');
  const wrongCase = /^(ms|mk)-/i.exec(cleaned);
  if (wrongCase && !/^(ms|mk)-/.test(cleaned)) {
    const want = wrongCase[1]!.toLowerCase();
    problems.push(`starts with "${wrongCase[0]}" but keys are case-sensitive: it must start with "${want}-"`);
    cleaned = want + cleaned.slice(2);
  }
  if (/[^\x21-\x7e]/.test(cleaned)) problems.push('contains characters that cannot appear in a key (non-ASCII or control characters)');
  if (cleaned.length > MAX_KEY_LENGTH)
    problems.push(`is ${cleaned.length.toLocaleString('en-US')} characters long: a key is ~40, a dashboard token a few hundred`);
  const kind = keyKind(cleaned);
  const foreign = kind === 'foreign' ? FOREIGN.find(([re]) => re.test(cleaned))?.[1] : undefined;
  return { kind, problems, foreign, cleaned };
}

/** The label a person reads for a key kind. */
export function kindLabel(kind: KeyKind): string {
  switch (kind) {
    case 'proxy':
      return 'proxy key (ms-)';
    case 'billing':
      return 'billing key (mk-)';
    case 'jwt':
      return 'dashboard token (JWT)';
    case 'foreign':
      return 'key of another service';
    default:
      return 'key of an unknown format';
  }
}

/**
 * Shows a key as its kind prefix and first characters plus its last 4: `ms-ab12…9f3c`.
 * Short keys show less, so that at most a third of a key is ever visible; the shortest show only their
 * prefix and how many characters they have (`ms-… (7 characters)`).
 */
export function maskKey(key: string): string {
  const k = key.trim();
  const prefix =
    /^(ms-|mk-|sk-ant-|sk-or-|sk-proj-|sk-|msk_|ms_live_|ms_test_|xai-|gsk_|hf_|gh[oprsu]_|github_pat_|xox[abposr]-|[rs]k_live_|[rs]k_test_)/.exec(
      k,
    )?.[0] ?? '';
  const body = k.slice(prefix.length);
  if (body.length >= 16) return `${prefix}${body.slice(0, 4)}…${body.slice(-4)}`;
  if (body.length >= 9) return `${prefix}${body.slice(0, 2)}…${body.slice(-2)}`;
  // Too short to show any of it; its length tells the user what is wrong with it (a key is 30+ characters).
  return `${prefix}… (${k.length} characters)`;
}
