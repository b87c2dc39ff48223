import type { CommonOptions, Context, Deps } from '../commands/context.js';
import type { Output } from '../render/output.js';
import { DEFAULT_BASE_URL, type SettingName } from '../config/settings.js';
import { resolveConfig, rejectEmptyFlags } from '../config/resolve.js';
import { Api } from '../api/api.js';

/** Resolves the configuration and builds the API client for a command; says config notes once. */
export async function makeContext(
  opts: CommonOptions,
  deps: Deps,
  out: Output,
  needs: readonly SettingName[],
  interrupt?: { note?: string },
): Promise<Context> {
  rejectEmptyFlags(opts);
  const config = await resolveConfig(opts, deps.env, { cwd: deps.cwd, needs });
  for (const n of config.notes) out.err(`${out.style.dim(n)}\n`);
  for (const w of config.warnings) out.warn(w);
  // Where requests go, said once when it is not the default: in human mode only (scripts and cron stay quiet).
  const format = (opts as { format?: string }).format;
  const human = !out.json && !out.quiet && (format === undefined || format === 'text');
  if (
    human &&
    needs.includes('baseUrl') &&
    config.baseUrl.origin !== 'default' &&
    !config.baseUrlProblem &&
    config.baseUrl.value !== DEFAULT_BASE_URL
  ) {
    out.err(`${out.style.dim(`base URL ${config.baseUrl.value} from ${config.baseUrl.source}`)}\n`);
  }
  const api = new Api(
    config,
    { dispatcher: deps.dispatcher, clock: deps.clock, random: deps.random, signal: deps.signal, env: deps.env },
    out.verbose ? (l) => out.debug(l) : undefined,
  );
  return { deps, opts, out, config, api, ...(interrupt ? { interrupt } : {}) };
}
