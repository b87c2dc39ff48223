import { homedir } from 'node:os';
import { relative, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { redactor } from '../redact.js';
import { SETTINGS, parseMs } from './settings.js';
import { mayHaveConfigFile } from './prescan.js';
import { isJsConfig, loadJsConfig } from './js-loader.js';

/** What a config file gave, validated. */
export interface FileConfig {
  filepath: string;
  values: Partial<Record<'apiKey' | 'billingKey' | 'baseUrl' | 'model', string> & { timeout: number }>;
  /** Keys apidoctor does not know (warned about, not fatal). */
  unknownKeys: string[];
}

/** A path as the user would like to read it: relative to the working directory when inside it. */
export function displayPath(p: string, cwd = process.cwd()): string {
  const rel = relative(cwd, p);
  if (!rel.startsWith('..') && !isAbsolute(rel)) return `./${rel}`;
  const home = homedir();
  return p.startsWith(home + '/') ? `~/${p.slice(home.length + 1)}` : p;
}

function fileError(filepath: string, what: string): UsageError {
  return new UsageError(`config file ${displayPath(filepath)}: ${what}`, 'Fix the file, or point --config / APIDOCTOR_CONFIG at another one.');
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

/**
 * Loads the config file: the one named by --config / APIDOCTOR_CONFIG, or cosmiconfig's search for
 * `apidoctor` from the working directory up to home. cosmiconfig is imported only here.
 */
export async function loadConfigFile(explicit: string | undefined, cwd: string): Promise<FileConfig | undefined> {
  // Most runs have no config file at all: a directory listing per level settles that without cosmiconfig.
  if (!explicit && !mayHaveConfigFile(cwd)) return undefined;
  const { cosmiconfig, defaultLoaders } = await import('cosmiconfig');
  // Wrap every loader so that any parse or load error names its file.
  const loaders = Object.fromEntries(
    Object.entries(defaultLoaders).map(([ext, loader]) => [
      ext,
      async (filepath: string, content: string) => {
        registerKeysIn(content);
        try {
          // JavaScript runs in a worker thread, so that Ctrl-C still works while it runs (js-loader.ts).
          return await (isJsConfig(filepath) ? loadJsConfig(filepath) : (loader as (f: string, c: string) => unknown)(filepath, content));
        } catch (e) {
          throw fileError(filepath, `cannot be parsed: ${parseProblem(e, content)}`);
        }
      },
    ]),
  );
  // Files with no extension (.apidoctorrc) are read as YAML, which also accepts JSON.
  const explorer = cosmiconfig('apidoctor', {
    loaders: { ...loaders, noExt: loaders['.yaml']! },
    searchStrategy: 'global',
    stopDir: homedir(),
  });
  let result;
  if (explicit) {
    const p = resolve(cwd, explicit);
    try {
      result = await explorer.load(p);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const code = (e as NodeJS.ErrnoException)?.code;
      if (code === 'ENOENT') throw fileError(p, 'no such file');
      if (code === 'EISDIR') throw fileError(p, 'is a directory, not a file');
      if (code === 'EACCES') throw fileError(p, 'cannot be read (permission denied)');
      throw fileError(p, String((e as Error)?.message ?? e).split('\n')[0] ?? 'cannot be read');
    }
    if (!result) throw fileError(p, 'is empty');
  } else {
    try {
      result = await explorer.search(cwd);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`config file search failed: ${String((e as Error)?.message ?? e).split('\n')[0]}`, 'Use --config to name the file.');
    }
    if (!result) return undefined;
  }
  return validateConfig(result.filepath, result.isEmpty ? {} : result.config);
}
