import { redactor } from '../core/redact.js';
import { UsageError } from '../core/errors.js';
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, SETTINGS, parseMs, type Setting, type SettingName } from './settings.js';
import { loadConfigFile, displayPath, type FileConfig } from './file.js';
import { normaliseBaseUrl } from './base-url.js';

/** Every setting resolved, each knowing its source. */
export interface ResolvedConfig {
  apiKey: Setting<string>;
  billingKey: Setting<string>;
  baseUrl: Setting<string>;
  timeout: Setting<number>;
  model: Setting<string>;
  /** The config file that was read, if any. */
  file?: string;
  /** Its absolute path. */
  filePath?: string;
  /** Why no file was read ("flags and environment settle every setting"), for doctor. */
  fileSkipped?: string;
  /** Said once: base URL normalisation. */
  notes: string[];
  /** Unknown config keys, legacy hosts, clear-text http. */
  warnings: string[];
  /** Set when the base URL cannot be used (config.bad-base-url). */
  baseUrlProblem?: string;
  /**
   * Per key role, why its key may not go to the base URL (config.untrusted-base-url): the base URL comes
   * from a project's config file, less trusted than the key. Nothing is sent with that key.
   */
  untrustedBaseUrl?: Partial<Record<'apiKey' | 'billingKey', string>>;
}

/** The flags the common options produce (commander's camelCase names). */
export interface ConfigFlags {
  apiKey?: string;
  billingKey?: string;
  baseUrl?: string;
  timeout?: string;
  model?: string;
  config?: string;
}

/**
 * Resolves every setting with precedence flag > environment > config file > default.
 * The config file is searched only when a setting in `needs` is not settled by flags or environment
 * (or when --config / APIDOCTOR_CONFIG names one), which keeps the common case fast.
 */
export async function resolveConfig(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv,
  opts: { cwd: string; needs: readonly SettingName[] },
): Promise<ResolvedConfig> {
  const fromFlagOrEnv = (name: SettingName): Setting<string> | undefined => {
    const spec = SETTINGS.find((s) => s.name === name)!;
    const f = flags[name];
    if (f !== undefined) return { value: f, origin: 'flag', source: spec.flag };
    const e = env[spec.env];
    if (e !== undefined && e !== '') return { value: e, origin: 'env', source: spec.env };
    return undefined;
  };
  // Register secrets before anything can fail and print.
  redactor.add(flags.apiKey);
  redactor.add(flags.billingKey);
  redactor.add(env.MODELSWITCH_API_KEY);
  redactor.add(env.MODELSWITCH_BILLING_KEY);

  const explicit = flags.config ?? (env.APIDOCTOR_CONFIG || undefined);
  const unsettled = opts.needs.filter((n) => fromFlagOrEnv(n) === undefined);
  let file: FileConfig | undefined;
  let fileSkipped: string | undefined;
  const skipped: string[] = [];
  if (explicit || unsettled.length > 0) {
    const loaded = await loadConfigFile(explicit, opts.cwd);
    file = loaded.file;
    skipped.push(...loaded.skipped);
  } else {
    fileSkipped = 'flags and environment settle every setting this command needs';
  }
  if (file) {
    redactor.add(file.values.apiKey);
    redactor.add(file.values.billingKey);
  }
  const fileSource = file ? displayPath(file.filepath, opts.cwd) : '';

  const pick = (name: SettingName): Setting<string> => {
    const direct = fromFlagOrEnv(name);
    if (direct) return direct;
    const v = file?.values[name as Exclude<SettingName, 'timeout'>];
    if (v !== undefined) return { value: v, origin: 'file', source: fileSource };
    const spec = SETTINGS.find((s) => s.name === name)!;
    if (spec.defaultValue !== undefined) return { value: String(spec.defaultValue), origin: 'default', source: 'default' };
    return { value: undefined, origin: 'none', source: 'not set' };
  };

  const notes: string[] = [];
  const warnings: string[] = [...skipped];
  if (file && file.unknownKeys.length > 0) {
    warnings.push(
      `config file ${fileSource}: unknown setting${file.unknownKeys.length > 1 ? 's' : ''} ${file.unknownKeys.map((k) => `"${k}"`).join(', ')} ignored (known: ${SETTINGS.map((s) => s.name).join(', ')})`,
    );
  }

  // Timeout: a number from any source; a bad value is a usage error that names its source. A command
  // that sends nothing (explain) only warns about one left in the environment.
  let timeout: Setting<number> | undefined;
  const t = fromFlagOrEnv('timeout');
  if (t) {
    try {
      timeout = { ...t, value: parseMs(t.value, t.source) };
    } catch (e) {
      if (t.origin !== 'env' || opts.needs.includes('timeout')) throw e;
      warnings.push(`${(e as Error).message}; ignored, as this command sends no request`);
    }
  }
  if (!timeout && file?.values.timeout !== undefined) timeout = { value: file.values.timeout, origin: 'file', source: fileSource };
  timeout ??= { value: DEFAULT_TIMEOUT_MS, origin: 'default', source: 'default' };

  const base = pick('baseUrl');
  registerUrlCredentials(base.value);
  const normal = normaliseBaseUrl(base.value ?? '');
  let baseUrlProblem: string | undefined;
  if (normal.ok) {
    base.value = normal.url;
    if (normal.note) notes.push(normal.note);
    warnings.push(...normal.warnings);
  } else {
    baseUrlProblem = `${normal.problem} (from ${base.source})`;
  }

  const apiKey = pick('apiKey');
  const billingKey = pick('billingKey');
  const untrustedBaseUrl = hostScope(base, { apiKey, billingKey }, file);

  return {
    apiKey,
    billingKey,
    baseUrl: base,
    timeout,
    model: pick('model'),
    file: file ? fileSource : undefined,
    filePath: file?.filepath,
    fileSkipped,
    notes,
    warnings,
    baseUrlProblem,
    untrustedBaseUrl,
  };
}

/**
 * Keys are scoped to a host. A key goes to a base URL other than the default only when that base URL
 * comes from a source at least as trusted as the key: a flag, the environment, --config /
 * APIDOCTOR_CONFIG, a config file in the home folder, or the very file that holds the key (with no
 * `$import`). A project's config file found by the search may not send a key from elsewhere to its host.
 */
function hostScope(
  base: Setting<string>,
  keys: Record<'apiKey' | 'billingKey', Setting<string>>,
  file: FileConfig | undefined,
): ResolvedConfig['untrustedBaseUrl'] {
  if (base.origin !== 'file' || !file || file.trusted || base.value === undefined || base.value === DEFAULT_BASE_URL) return undefined;
  const scope: NonNullable<ResolvedConfig['untrustedBaseUrl']> = {};
  for (const role of ['apiKey', 'billingKey'] as const) {
    const k = keys[role];
    if (k.value === undefined || (k.origin === 'file' && file.single)) continue;
    const label = role === 'apiKey' ? 'proxy key' : 'billing key';
    scope[role] =
      `the base URL ${base.value} comes from ${base.source}, a project's config file found by the search; the ${label} comes from ${k.source}${k.origin === 'file' ? ' with an $import' : ''}`;
  }
  return Object.keys(scope).length ? scope : undefined;
}

/** Throws a usage error for an empty flag value such as `--api-key ""`. */
export function rejectEmptyFlags(flags: ConfigFlags): void {
  for (const spec of SETTINGS) {
    if (flags[spec.name] === '') throw new UsageError(`${spec.flag} was given an empty value`);
  }
}

/** A password in the base URL (http://user:pass@host) is a secret like a key: every output masks it. */
function registerUrlCredentials(raw: string | undefined): void {
  const m = raw === undefined ? null : /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(raw.trim());
  if (!m) return;
  const userinfo = m[1]!;
  const colon = userinfo.indexOf(':');
  if (colon === -1) return;
  for (const s of [userinfo.slice(colon + 1), decodeURIComponentSafe(userinfo.slice(colon + 1))]) if (s.length >= 4) redactor.add(s);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
