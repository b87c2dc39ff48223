#!/usr/bin/env node
'use strict';
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point: require() is how it loads */
// The installed entry point, and the one place that knows how apidoctor starts fast. Every start-up trick
// lives here or in scripts/startup/, each with the measurement that keeps it (README, "What keeps it small"):
//
// - `--version` and `--help` alone are answered here from dist/fast.json, the exact text the real program
//   prints, taken from it at build time for every help width (scripts/startup/fast-answers.mjs): neither
//   loads the CLI (~25 ms a start on Node 20–26).
// - The CLI is one CommonJS bundle, dist/run.cjs (scripts/build.mjs): a CommonJS entry starts faster than
//   an ES module one, and one file costs no module resolution.
// - Node ≥ 22.1 keeps V8's compiled code of the bundle between runs in its compile cache (per user, in
//   ~/.cache/apidoctor, for whatever Node version runs it; `module.enableCompileCache()`, below). Node 20
//   compiles from source.
// - Source patches of commander, undici and cosmiconfig defer built-in modules apidoctor rarely or never
//   uses (scripts/startup/patches.mjs); undici itself loads only for a request through a proxy
//   (src/vendor/undici-slim.cjs); built-in modules are loaded where they are used, with
//   process.getBuiltinModule (a lint rule in eslint.config.js keeps heavy modules out of static imports).
//
// It is CommonJS (bin/package.json) because Node starts a CommonJS entry faster than an ES module one. A
// failure to even load (a broken install) gets one clear line, never a stack trace.

/** The text for `--version`/`-V`/`--help`/`-h` alone on the command line, or undefined to run the CLI. */
function fastAnswer(argv) {
  if (argv.length !== 1) return undefined;
  const flag = argv[0];
  const version = flag === '--version' || flag === '-V';
  if (!version && flag !== '--help' && flag !== '-h') return undefined;
  let fast;
  try {
    // readFileSync + JSON.parse: a fifth of what require() of a .json costs.
    fast = JSON.parse(require('node:fs').readFileSync(`${__dirname}/../dist/fast.json`, 'utf8'));
  } catch {
    return undefined;
  }
  if (version) return fast.version;
  // commander lays help out for the terminal's width, or 80 columns when stdout is not a terminal.
  // Only a character device can be a terminal: for a pipe or a file, do not create process.stdout
  // (which costs more than the rest of this) just to learn that it is not one.
  // As the CLI reads the width (src/render/layout.ts terminalWidth): the terminal's, else COLUMNS, else 80.
  const fromEnv = Number(process.env.COLUMNS);
  let width = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
  if (isCharacterDevice(1) && process.stdout.isTTY && process.stdout.columns > 0) width = process.stdout.columns;
  const variant = fast.help.variants[fast.help.byWidth[width]];
  return variant && variant.map((i) => fast.help.lines[i]).join('\n');
}

function isCharacterDevice(fd) {
  try {
    return require('node:fs').fstatSync(fd).isCharacterDevice();
  } catch {
    return true;
  }
}

/**
 * Writes to fd 1 directly: creating process.stdout costs more than the rest of `--version` (~10 ms).
 * A non-blocking stdout that is full (EAGAIN) gets the rest through process.stdout; a closed one
 * (EPIPE: `apidoctor --help | head -1`) is fine, as in the CLI.
 */
function print(text) {
  const { writeSync } = require('node:fs');
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length;) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      if (e && e.code === 'EAGAIN') {
        process.stdout.on('error', () => {});
        process.stdout.write(buf.subarray(off));
      }
      return;
    }
  }
}

/**
 * Where the compile cache lives: the user's own cache folder ($XDG_CACHE_HOME or ~/.cache, then
 * apidoctor/node-compile-cache, made private), or NODE_COMPILE_CACHE when the user names one. Not Node's
 * default, the system's temporary folder: on a shared machine another user could create
 * /tmp/node-compile-cache first and plant compiled code that this process, holding the keys, would run.
 * No such folder (no home, a read-only one): no cache.
 */
function compileCacheDir() {
  if (process.env.NODE_COMPILE_CACHE) return process.env.NODE_COMPILE_CACHE;
  const { join, isAbsolute } = require('node:path');
  const xdg = process.env.XDG_CACHE_HOME;
  const home = process.env.HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : home && isAbsolute(home) ? join(home, '.cache') : undefined;
  if (!base) return undefined;
  const dir = join(base, 'apidoctor', 'node-compile-cache');
  try {
    require('node:fs').mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  } catch {
    return undefined;
  }
}

const text = fastAnswer(process.argv.slice(2));
if (text !== undefined) {
  print(text);
} else {
  try {
    // Node ≥ 22.1: V8's code for the bundle from the last run (keyed by the file's content, so a rebuilt
    // bundle is compiled afresh). NODE_DISABLE_COMPILE_CACHE=1 turns it off.
    const cache = compileCacheDir();
    if (cache) require('node:module').enableCompileCache?.(cache);
    require('../dist/run.cjs');
  } catch (e) {
    process.stderr.write(
      `✗ apidoctor could not start: ${e && e.message ? e.message.split('\n')[0] : e}\n  Reinstall it, or run npm ci && npm run build in a clone.\n`,
    );
    process.exitCode = 1;
  }
}
