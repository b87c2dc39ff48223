import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** cosmiconfig 9's default search places for `apidoctor` (its defaults.js), in each directory. */
const RC = ['', '.json', '.yaml', '.yml', '.js', '.ts', '.cjs', '.mjs'];
const TOP = new Set([...RC.map((e) => `.apidoctorrc${e}`), ...['.js', '.ts', '.cjs', '.mjs'].map((e) => `apidoctor.config${e}`)]);
const IN_DOT_CONFIG = new Set(RC.map((e) => `apidoctorrc${e}`));
/** Its global places, in the env-paths config directory. */
const GLOBAL = new Set(RC.map((e) => `config${e}`));

function list(dir: string): Set<string> | undefined {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return undefined;
  }
}

/** True when a package.json could configure apidoctor (or cosmiconfig itself); unreadable means maybe. */
function packageMentions(file: string, keys: string[]): boolean {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return keys.some((k) => pkg?.[k] !== undefined);
  } catch {
    return true;
  }
}

/** env-paths' config directory for `apidoctor` on this platform (where cosmiconfig's global search looks). */
function globalConfigDir(env: NodeJS.ProcessEnv): string {
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Preferences', 'apidoctor');
  if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'apidoctor', 'Config');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'apidoctor');
}

/**
 * Whether cosmiconfig's search for `apidoctor` (strategy "global": the working directory up to home,
 * then the global config directory) could find anything. One directory listing per level instead of
 * importing cosmiconfig and stat-ing twenty names per level: when this says no, the search is skipped.
 * It errs towards yes: anything it cannot rule out is left to cosmiconfig.
 */
export function mayHaveConfigFile(cwd: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const start = resolve(cwd);
  // cosmiconfig's meta config (package.json "cosmiconfig", .config/config.*) can change the search.
  const startDot = list(join(start, '.config'));
  if (startDot && [...startDot].some((f) => /^config(\.(json|ya?ml|js|ts|cjs|mjs))?$/.test(f))) return true;
  const stop = resolve(homedir());
  let dir = start;
  for (;;) {
    const names = list(dir);
    if (names) {
      for (const n of names) if (TOP.has(n)) return true;
      if (names.has('package.json') && packageMentions(join(dir, 'package.json'), dir === start ? ['apidoctor', 'cosmiconfig'] : ['apidoctor'])) return true;
      if (names.has('.config')) {
        const dot = dir === start ? startDot : list(join(dir, '.config'));
        if (dot && [...dot].some((n) => IN_DOT_CONFIG.has(n))) return true;
      }
    }
    if (dir === stop) break;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const global = list(globalConfigDir(env));
  return !!global && [...global].some((n) => GLOBAL.has(n));
}
