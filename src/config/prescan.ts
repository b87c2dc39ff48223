import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** cosmiconfig 9's default search places for `apidoctor` (its defaults.js), in each directory. */
const RC = ['', '.json', '.yaml', '.yml', '.js', '.ts', '.cjs', '.mjs'];
const TOP = new Set([...RC.map((e) => `.apidoctorrc${e}`), ...['.js', '.ts', '.cjs', '.mjs'].map((e) => `apidoctor.config${e}`)]);
const IN_DOT_CONFIG = new Set(RC.map((e) => `apidoctorrc${e}`));
/** Its global places, in the env-paths config directory. */
const GLOBAL = new Set(RC.map((e) => `config${e}`));

/**
 * Whether `dir/name` exists, one stat each. Stat-ing the dozen names cosmiconfig looks for costs the same
 * in any directory, where listing it grows with its size (18 ms for a /tmp holding 14,000 entries).
 */
function exists(dir: string, name: string): boolean {
  try {
    return statSync(join(dir, name), { throwIfNoEntry: false }) !== undefined;
  } catch (e) {
    // A file where a directory was expected is no config; anything else unreadable (EACCES, ELOOP…)
    // may be one: leave it to cosmiconfig.
    return (e as NodeJS.ErrnoException).code !== 'ENOTDIR';
  }
}

/** Whether any of `names` is in `dir`; a folder that is not there (most have no .config) costs one stat, not one per name. */
const anyOf = (dir: string, names: Iterable<string>): boolean => {
  if (!exists(dir, '.')) return false;
  for (const n of names) if (exists(dir, n)) return true;
  return false;
};

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
export function globalConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Preferences', 'apidoctor');
  if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'apidoctor', 'Config');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'apidoctor');
}

/** The nearest folder at or above `start` that holds `.git` (a directory, or a file in a worktree or submodule). */
export function gitRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (exists(dir, '.git')) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Whether `dir` is `top` or inside it. */
export function within(dir: string, top: string): boolean {
  const rel = relative(top, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Where the config search stops (the last folder it looks in): the nearer of the git work tree's root and
 * the home folder, never above home; outside home, the git root, or the working directory alone when
 * there is none. A file planted in a shared folder above (the system temporary folder, /) is never found.
 */
export function searchBound(cwd: string): string {
  const start = resolve(cwd);
  const home = resolve(homedir());
  const git = gitRoot(start);
  if (within(start, home)) return git && within(git, home) ? git : home;
  return git ?? start;
}

/**
 * Whether a config file sits in the user's home folder: in it, in its .config, or in apidoctor's global
 * config directory. Such a file is the user's own (a project's files are not), so it is trusted like the
 * environment: it may set the base URL a key from elsewhere goes to, and it may be JavaScript.
 */
export function inHomeFolder(filepath: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const dir = dirname(resolve(filepath));
  const home = resolve(homedir());
  return dir === home || dir === join(home, '.config') || dir === resolve(globalConfigDir(env));
}

/**
 * Whether cosmiconfig's search for `apidoctor` (strategy "global": the working directory up to the
 * search bound, then the global config directory) could find anything. A stat per name cosmiconfig would
 * try, without importing it: when this says no, the search is skipped.
 * It errs towards yes: anything it cannot rule out is left to cosmiconfig.
 */
export function mayHaveConfigFile(cwd: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const start = resolve(cwd);
  // cosmiconfig's meta config (package.json "cosmiconfig", .config/config.*) can change the search.
  if (anyOf(join(start, '.config'), GLOBAL)) return true;
  const stop = searchBound(start);
  let dir = start;
  for (;;) {
    if (anyOf(dir, TOP)) return true;
    if (
      exists(dir, 'package.json') &&
      packageMentions(join(dir, 'package.json'), dir === start ? ['apidoctor', 'cosmiconfig'] : ['apidoctor'])
    )
      return true;
    if (anyOf(join(dir, '.config'), IN_DOT_CONFIG)) return true;
    if (dir === stop) break;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return anyOf(globalConfigDir(env), GLOBAL);
}
