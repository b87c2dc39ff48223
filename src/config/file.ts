import { homedir } from 'node:os';
import { statSync } from 'node:fs';
import { dirname, extname, relative, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { redactor } from '../core/redact.js';
import { SETTINGS, parseMs } from './settings.js';
import { inHomeFolder, mayHaveConfigFile, searchBound, globalConfigDir, within } from './prescan.js';
import { isJsConfig, loadJsConfig } from './js-loader.js';

/** What a config file gave, validated. */
export interface FileConfig {
  filepath: string;
  values: Partial<Record<'apiKey' | 'billingKey' | 'baseUrl' | 'model', string> & { timeout: number }>;
  /** Keys apidoctor does not know (warned about, not fatal). */
  unknownKeys: string[];
  /**
   * Whether every file it was read from (itself and any `$import`) is the user's own: named by --config /
   * APIDOCTOR_CONFIG, or in the home folder. A file found by the search in a project is not.
   */
  trusted?: boolean;
  /** Whether its values came from this one file alone (no `$import` of another). */
  single?: boolean;
}

const JS_EXT = new Set(['.js', '.mjs', '.cjs', '.ts']);
const SUPPORTED = 'JSON (.json, or package.json "apidoctor"), YAML (.yaml, .yml, or no extension) and JavaScript (.js, .mjs, .cjs)';

/**
 * Whether a JavaScript config found by the search may run: it sits in the home folder (~, ~/.config, the
 * global config folder), and it and its folder are owned by this user (or root) and writable by no one else
 * (as ssh's StrictModes asks of ~/.ssh). One in a project — the working directory too: a cloned repository
 * is someone else's code, and a config's code can read the keys from the environment and send them
 * anywhere, which no sandbox in this process can prevent — or in a shared folder such as the system
 * temporary folder is never run by the search; naming it with --config runs it.
 */
function mayRunJs(filepath: string): boolean {
  const dir = dirname(filepath);
  if (!inHomeFolder(filepath)) return false;
  if (typeof process.getuid !== 'function') return true;
  const uid = process.getuid();
  for (const p of [filepath, dir]) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st || (st.uid !== uid && st.uid !== 0) || (st.mode & 0o022) !== 0) return false;
  }
  return true;
}

/** A path as the user would like to read it: relative to the working directory when inside it. */
export function displayPath(p: string, cwd = process.cwd()): string {
  const rel = relative(cwd, p);
  if (!rel.startsWith('..') && !isAbsolute(rel)) return `./${rel}`;
  const home = homedir();
  return p.startsWith(home + '/') ? `~/${p.slice(home.length + 1)}` : p;
}

function fileError(filepath: string, what: string): UsageError {
  return new UsageError(
    `config file ${displayPath(filepath)}: ${what}`,
    'Fix the file, or point --config / APIDOCTOR_CONFIG at another one.',
  );
}

/**
 * Registers with the redactor the key values a config file's text holds, before it is parsed: a file
 * that does not parse cannot say which of its values are keys, and a parser's error quotes lines of it.
 */
function registerKeysIn(content: string): void {
  for (const m of content.matchAll(/\b(?:apiKey|billingKey)\b["']?\s*[:=]\s*["'`]?([^\s"'`,;}\]#]+)/g)) redactor.add(m[1]);
}

/**
 * What a parser says is wrong, in one line, without the excerpt of the file it quotes (a code frame
 * of the lines around the error, "while parsing '…'"), which may hold a key; a JSON position becomes
 * a line and column.
 */
function parseProblem(e: unknown, content: string): string {
  const raw = String((e as Error)?.message ?? e).replace(/^(JSON|YAML) Error in [^\n]*?:[ \t]*/i, '');
  const codeFrame = (l: string) => /^\s*>?\s*\d+\s*\|/.test(l) || /^\s*\|/.test(l) || /^\s*-*\^\s*$/.test(l);
  const line = raw.split('\n').find((l) => l.trim() !== '' && !codeFrame(l)) ?? 'not valid';
  let problem = line.replace(/\s*while parsing\b.*$/i, '').trim();
  const at = /\bat position (\d+)/.exec(problem);
  if (at) {
    const before = content.slice(0, Number(at[1]));
    problem = problem.replace(at[0], `at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`);
  }
  return problem;
}

const KNOWN = new Set([...SETTINGS.map((s) => s.name), '$schema']);

/** Validates a loaded config object; throws a UsageError naming the file and the field. */
export function validateConfig(filepath: string, raw: unknown): FileConfig {
  if (raw === null || raw === undefined) return { filepath, values: {}, unknownKeys: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw fileError(filepath, `expected an object of settings, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  const obj = raw as Record<string, unknown>;
  const values: FileConfig['values'] = {};
  for (const spec of SETTINGS) {
    const v = obj[spec.name];
    if (v === undefined || v === null) continue;
    if (spec.type === 'ms') {
      try {
        values.timeout = parseMs(v, `"${spec.name}"`);
      } catch (e) {
        throw fileError(filepath, (e as Error).message);
      }
    } else if (typeof v !== 'string') {
      throw fileError(filepath, `"${spec.name}" must be a string, got ${Array.isArray(v) ? 'an array' : typeof v}`);
    } else {
      values[spec.name as 'apiKey'] = v;
    }
  }
  const unknownKeys = Object.keys(obj).filter((k) => !KNOWN.has(k));
  return { filepath, values, unknownKeys };
}

/** A loader's error about a module system, said as what to do about it (a CommonJS file in an ES module package and the reverse). */
function moduleHint(filepath: string, e: unknown): UsageError | undefined {
  const msg = String((e as Error)?.message ?? e);
  if (/\b(module|exports|require) is not defined in ES module scope/.test(msg)) {
    return new UsageError(
      `config file ${displayPath(filepath)} uses CommonJS (module.exports or require) but is loaded as an ES module (the nearest package.json says "type": "module")`,
      `Rename it to ${displayPath(filepath).replace(/\.(js|mjs)$/, '.cjs')}, or write it as an ES module: export default { … }. A JSON or YAML file (.apidoctorrc.json) runs no code at all.`,
    );
  }
  if (/Cannot use import statement outside a module|Unexpected token 'export'/.test(msg)) {
    return new UsageError(
      `config file ${displayPath(filepath)} uses ES module syntax (import/export) but is loaded as CommonJS`,
      `Rename it to ${displayPath(filepath).replace(/\.(js|cjs)$/, '.mjs')}, or write module.exports = { … }.`,
    );
  }
  return undefined;
}

/**
 * Loads the config file: the one named by --config / APIDOCTOR_CONFIG, or cosmiconfig's search for
 * `apidoctor` from the working directory up to the search bound (the nearer of the git root and home;
 * see searchBound), then the global config directory. cosmiconfig is imported only here.
 *
 * A JavaScript config runs code, so one met by the search runs only when mayRunJs allows it; others are
 * skipped (said in `skipped`) and the search goes on. A file outside the bound (cosmiconfig's own meta
 * config can move it) is refused.
 */
export async function loadConfigFile(explicit: string | undefined, cwd: string): Promise<{ file?: FileConfig; skipped: string[] }> {
  // Most runs have no config file at all: a stat per name settles that without cosmiconfig.
  if (!explicit && !mayHaveConfigFile(cwd)) return { skipped: [] };
  const { cosmiconfig, defaultLoaders } = await import('cosmiconfig');
  const explicitPath = explicit ? resolve(cwd, explicit) : undefined;
  const read: string[] = [];
  const skipped: string[] = [];
  // Wrap every loader so that any parse or load error names its file.
  const loaders = Object.fromEntries(
    Object.entries(defaultLoaders).map(([ext, loader]) => [
      ext,
      async (filepath: string, content: string) => {
        if (JS_EXT.has(ext) && filepath !== explicitPath && !mayRunJs(filepath)) {
          skipped.push(
            `skipped the JavaScript config ${displayPath(filepath, cwd)}: apidoctor runs one found by the search only from your home folder, owned by you and writable by no one else (a project's code could read your keys). To run it: --config ${displayPath(filepath, cwd)}`,
          );
          return undefined; // empty: the search goes on
        }
        read.push(filepath);
        registerKeysIn(content);
        try {
          // JavaScript runs in a worker thread, so that Ctrl-C still works while it runs (js-loader.ts).
          return await (isJsConfig(filepath) ? loadJsConfig(filepath) : (loader as (f: string, c: string) => unknown)(filepath, content));
        } catch (e) {
          throw moduleHint(filepath, e) ?? fileError(filepath, `cannot be parsed: ${parseProblem(e, content)}`);
        }
      },
    ]),
  );
  // Files with no extension (.apidoctorrc) are read as YAML, which also accepts JSON.
  const bound = searchBound(cwd);
  const explorer = cosmiconfig('apidoctor', {
    loaders: { ...loaders, noExt: loaders['.yaml']! },
    searchStrategy: 'global',
    stopDir: bound,
  });
  let result;
  if (explicitPath) {
    const p = explicitPath;
    try {
      result = await explorer.load(p);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const code = (e as NodeJS.ErrnoException)?.code;
      if (code === 'ENOENT') throw fileError(p, 'no such file');
      if (code === 'EISDIR') throw fileError(p, 'is a directory, not a file');
      if (code === 'EACCES') throw fileError(p, 'cannot be read (permission denied)');
      if (/No loader specified/.test(String((e as Error)?.message))) {
        throw new UsageError(
          `config file ${displayPath(p)}: the ${extname(p) ? `format ${extname(p)}` : 'format'} is not supported; apidoctor reads ${SUPPORTED}`,
          `Convert it, for example to .apidoctorrc.json or .apidoctorrc.yaml, and point --config / APIDOCTOR_CONFIG at that.`,
        );
      }
      throw fileError(p, String((e as Error)?.message ?? e).split('\n')[0] ?? 'cannot be read');
    }
    if (!result) throw fileError(p, 'is empty');
  } else {
    try {
      result = await explorer.search(cwd);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(
        `config file search failed: ${String((e as Error)?.message ?? e).split('\n')[0]}`,
        'Use --config to name the file.',
      );
    }
    if (result && !within(dirname(result.filepath), bound) && dirname(result.filepath) !== resolve(globalConfigDir())) {
      skipped.push(
        `skipped the config file ${displayPath(result.filepath, cwd)}: it is outside the search (the working directory up to ${displayPath(bound, cwd)}). To use it: --config ${displayPath(result.filepath, cwd)}`,
      );
      result = null;
    }
    if (!result) return { skipped };
  }
  // The files its values came from: itself and what it imported, read right after it.
  const at = read.lastIndexOf(result.filepath);
  const files = at >= 0 ? read.slice(at) : [result.filepath];
  const file: FileConfig = {
    ...validateConfig(result.filepath, result.isEmpty ? {} : result.config),
    trusted: files.every((f) => f === explicitPath || inHomeFolder(f)),
    single: files.every((f) => f === result.filepath),
  };
  return { file, skipped };
}
