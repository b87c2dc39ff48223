#!/usr/bin/env node
'use strict';
/* global require, __dirname, module */
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
//   has no compile cache: there this file keeps V8's code of the bundle itself, in the same private folder
//   (`runWithCodeCache`, below; `doctor --json` 363 → 328 ms a run, 31 runs back to back on Node 20).
// - dist/run.cjs is also a script whose value is the module's function (scripts/startup/ascii.mjs,
//   asModuleFunction): on Node 20 this file compiles it as it is, without Module.wrap's copy of the whole
//   source (~480 kB of fresh memory, and the young memory that brought a garbage collection before doctor's
//   first request: doctor 257 → 251 ms a run, 24 interleaved runs on Node 20).
// - dist/run.cjs is ASCII only (scripts/startup/ascii.mjs): one character past Latin-1 makes V8 hold and
//   scan the whole 0.5 MB source as two-byte text (~8 ms more to read and compile it on Node 20).
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
    const fs = require('node:fs');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A folder that was already there is used only if it is the user's own and nobody else can write to it
    // (not a link to, or a copy of, a shared one): what is in it runs as this process, which holds the keys.
    const st = fs.lstatSync(dir);
    const mine = typeof process.getuid !== 'function' || st.uid === process.getuid();
    return st.isDirectory() && mine && (st.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Node < 22.1, which has no compile cache: runs dist/run.cjs as require() would (its value is the module's
 * function, called here with the module's five arguments), from V8's code of it kept
 * in `dir` by the last run of the same command (`vm.Script` cachedData). The file is named by the Node
 * version, the bundle's place and build id (its first line, a hash of its content written by
 * scripts/build.mjs) and the command; it starts with the bundle's size and change time, so an edited or
 * reinstalled bundle is compiled afresh (V8 itself only checks the length). Without a usable cache it
 * compiles from source and, at exit, writes the code V8 then has (the functions this run compiled too).
 * False when it could not even compile the bundle this way (then require() runs it); the bundle's own
 * errors are thrown as require() would.
 */
function runWithCodeCache(dir) {
  const fs = require('node:fs');
  const { join, dirname } = require('node:path');
  const vm = require('node:vm');
  const Module = module.constructor;
  const file = join(__dirname, '..', 'dist', 'run.cjs');
  let script;
  let cacheFile;
  try {
    // The bundle and then its kept code are read into one buffer: each page of memory the process touches for
    // the first time costs a page fault, and the bundle's bytes are not needed once they are a string.
    const bundle = readWhole(fs, file, Buffer.alloc(0), 1.25); // room for the kept code after it
    const st = bundle.stat;
    const source = bundle.bytes.toString('latin1'); // ASCII only: the cheapest decoding
    const id = /^\/\/ build ([0-9a-f]{16})\n/.exec(source);
    if (!id) return false; // not built by scripts/build.mjs: maybe not ASCII either
    if (!source.startsWith(MODULE_FUNCTION, id[0].length)) return false; // not framed as its module's function
    // The file starts with the bundle's size and change time, a line of its own.
    const stamp = Buffer.from(`${st.size}:${st.ctimeMs}\n`);
    let cachedData;
    // One file per Node version, bundle, place and command: two installs of the same build (global and a
    // project's) would otherwise overwrite each other's on every run, and V8 keeps the functions a run
    // compiled, so that each command's file holds its own code (doctor's checks, not keys' table).
    const command = process.argv.slice(2).find((a) => COMMANDS.includes(a)) ?? 'other';
    cacheFile = join(dir, `run-${process.version}-${process.arch}-${hashOf(file)}-${id[1]}-${command}.v8`);
    try {
      const kept = readWhole(fs, cacheFile, bundle.buf, 1).bytes;
      if (kept.subarray(0, stamp.length).equals(stamp)) cachedData = kept.subarray(stamp.length);
    } catch {
      // none yet
    }
    // import() in the bundle (ora's spinner, a JavaScript config file) goes to Node's own loader, which Node 20
    // calls experimental here and says so on stderr at the first one: a notice for apidoctor, not its user.
    const emitWarning = process.emitWarning;
    process.emitWarning = function (warning, ...rest) {
      if (String(warning && warning.message ? warning.message : warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
      return emitWarning.call(this, warning, ...rest);
    };
    script = new vm.Script(source, {
      filename: file,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (!cachedData || script.cachedDataRejected) {
      process.once('exit', () => {
        const tmp = `${cacheFile}.${process.pid}`;
        try {
          fs.writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]), { mode: 0o600 });
          fs.renameSync(tmp, cacheFile);
          // The code of this place's earlier builds, for this Node, will not be used again.
          const place = `run-${process.version}-${process.arch}-${hashOf(file)}-`;
          for (const f of fs.readdirSync(dir)) {
            if (f.startsWith(place) && !f.startsWith(`${place}${id[1]}-`)) fs.rmSync(join(dir, f), { force: true });
          }
        } catch {
          fs.rmSync(tmp, { force: true });
        }
      });
    }
  } catch {
    return false;
  }
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(dirname(file));
  script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, dirname(file));
  return true;
}

/** How dist/run.cjs goes on after its build line: the script's value is the module's function (asModuleFunction). */
const MODULE_FUNCTION =
  "(typeof arguments === 'object' ? (f) => f.apply(this, arguments) : (f) => f)((function (exports, require, module, __filename, __dirname) {";

/**
 * The whole of `file`, its stat (one open, one fstat), read into the start of `buf` if it is longer than the file,
 * else into a new buffer `room` times the file's size: the bytes, and the buffer they are in.
 */
function readWhole(fs, file, buf, room) {
  const fd = fs.openSync(file, 'r');
  try {
    const stat = fs.fstatSync(fd);
    if (stat.size >= buf.length) buf = Buffer.allocUnsafeSlow(Math.ceil(stat.size * room) + 1);
    let n = 0;
    for (let got; n < buf.length && (got = fs.readSync(fd, buf, n, buf.length - n, n)) > 0;) n += got;
    if (n === buf.length) throw new Error(`${file} changed while it was read`);
    return { bytes: buf.subarray(0, n), stat, buf };
  } finally {
    fs.closeSync(fd);
  }
}

/** The commands, each with a code cache of its own (src/config/options.ts COMMANDS; a test compares them). */
const COMMANDS = ['doctor', 'balance', 'keys', 'call', 'explain'];

/** A short hash of a string (FNV-1a, 32 bits, in hex): names a place, not a secret. */
function hashOf(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

const text = fastAnswer(process.argv.slice(2));
if (text !== undefined) {
  print(text);
} else {
  try {
    // Node ≥ 22.1: V8's code for the bundle from the last run (keyed by the file's content, so a rebuilt
    // bundle is compiled afresh). NODE_DISABLE_COMPILE_CACHE=1 turns it off.
    // Node 20 (and 22.0): the launcher's own code cache, unless NODE_DISABLE_COMPILE_CACHE says no there too.
    // Asked by version: require('node:module') alone costs ~0.7 ms on Node 20, for nothing.
    const [major, minor] = process.versions.node.split('.').map(Number);
    const nodeHasCache = major > 22 || (major === 22 && minor >= 1);
    const cache = compileCacheDir();
    if (cache && nodeHasCache) require('node:module').enableCompileCache(cache);
    if (!cache || nodeHasCache || process.env.NODE_DISABLE_COMPILE_CACHE || !runWithCodeCache(cache)) require('../dist/run.cjs');
  } catch (e) {
    process.stderr.write(
      `✗ apidoctor could not start: ${e && e.message ? e.message.split('\n')[0] : e}\n  Reinstall it, or run npm ci && npm run build in a clone.\n`,
    );
    process.exitCode = 1;
  }
}
