#!/usr/bin/env node
'use strict';
/* global require, __dirname, module */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point: require() is how it loads */
// The installed entry point: start the built CLI. Everything else lives in dist/.
// It is CommonJS (bin/package.json) because Node starts a CommonJS entry faster than an ES module one,
// and `--version` and `--help` alone are answered here from dist/fast.json, the exact text the real
// program prints, written at build time by scripts/build.mjs: neither loads the CLI. A failure to even
// load (a broken install) gets one clear line, never a stack trace.

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
  for (let off = 0; off < buf.length; ) {
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
 * The code cache's first line: a checksum of the bundle it was made for and of the cache itself.
 * V8 checks only that a cache belongs to its own version and flags and to a source of the same length:
 * given a stale cache (a bundle edited in place) it runs the old code, and given a damaged one it can
 * crash the process outright. So a cache is handed to V8 only when both checksums match.
 */
function cacheHeader(bundle, payload) {
  const { crc32 } = require('node:zlib');
  const hex = (n) => n.toString(16).padStart(8, '0');
  return `apidoctor-v8cache ${hex(crc32(bundle))} ${hex(crc32(payload))} ${payload.length}\n`;
}

/**
 * Compiles the CLI, dist/run.cjs, as Node's require() would, but with V8's code cache from the build
 * (dist/run.v8cache, see scripts/train-code-cache.cjs): V8 then neither parses the bundle nor compiles
 * the functions a run calls, ~10 ms of every start here. No cache, a cache for another bundle or a
 * damaged one (see cacheHeader), or one V8 rejects (another Node version or other V8 flags): the
 * bundle is compiled from source. `run()` runs it; `script` and `bundle` are there for the build to
 * write the cache from.
 */
function compileCli() {
  const fs = require('node:fs');
  const path = require('node:path');
  const vm = require('node:vm');
  const { createRequire } = require('node:module');
  const file = path.join(__dirname, '..', 'dist', 'run.cjs');
  const bundle = fs.readFileSync(file);
  let cachedData;
  try {
    const cache = fs.readFileSync(path.join(__dirname, '..', 'dist', 'run.v8cache'));
    const eol = cache.indexOf(10);
    if (eol > 0 && eol < 80) {
      const payload = cache.subarray(eol + 1);
      if (cache.toString('latin1', 0, eol + 1) === cacheHeader(bundle, payload)) cachedData = payload;
    }
  } catch {
    // no cache: compile from source
  }
  const source = `(function (exports, require, module, __filename, __dirname) {${bundle.toString('utf8')}\n})`;
  const script = new vm.Script(source, { filename: file, cachedData });
  return {
    script,
    bundle,
    run() {
      // An import() in code compiled by vm.Script has no module loader: lend it this file's, which
      // resolves ora or a config file as it would from dist/ (src/esm.ts).
      globalThis.__apidoctorImport ??= (specifier) => import(specifier);
      const mod = { exports: {} };
      script.runInThisContext()(mod.exports, createRequire(file), mod, file, path.dirname(file));
    },
  };
}

module.exports = { compileCli, cacheHeader };

if (require.main === module) {
  const text = fastAnswer(process.argv.slice(2));
  if (text !== undefined) {
    print(text);
  } else {
    try {
      compileCli().run();
    } catch (e) {
      process.stderr.write(`✗ apidoctor could not start: ${e && e.message ? e.message.split('\n')[0] : e}\n  Reinstall it, or run npm ci && npm run build in a clone.\n`);
      process.exitCode = 1;
    }
  }
}
