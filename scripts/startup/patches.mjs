// Start-up trick: source patches of bundled packages and bundle boundaries, applied by scripts/build.mjs.
// Each saves start-up time measured on Node 20–26 (numbers in each comment: built-in modules and
// milliseconds a start did not pay once the patch was in); the build fails when a patch no longer
// applies (after an upgrade), so none is silently lost.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Source edits to bundled packages that defer what apidoctor rarely or never uses; each must apply
 * exactly once (the build fails otherwise, e.g. after an upgrade).
 * - undici's Client requires its HTTP/2 client at load, which loads node:http2 and with it node:tls
 *   and node:crypto (24 built-in modules, ~10 ms here), although HTTP/2 is only used with `allowH2`,
 *   which apidoctor never sets; https still loads node:tls when it connects.
 * - cosmiconfig requires node:crypto (17 built-in modules) at load, only to name the temporary file
 *   it compiles a TypeScript config file to.
 * - commander requires node:child_process (with node:dgram and more, ~2 ms here) at load, only to run
 *   a subcommand kept in an executable of its own, which apidoctor has none of.
 */
const COSMICONFIG_LOADERS = /node_modules[\\/]cosmiconfig[\\/]dist[\\/]loaders\.js$/;
const PATCHES = [
  {
    file: /node_modules[\\/]commander[\\/]lib[\\/]command\.js$/,
    from: "const childProcess = require('node:child_process');",
    to: "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };",
  },
  {
    file: /node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
    from: "const connectH2 = require('./client-h2.js')",
    to: "let connectH2Loaded\nconst connectH2 = (client, socket) => (connectH2Loaded ??= require('./client-h2.js'))(client, socket)",
  },
  {
    file: COSMICONFIG_LOADERS,
    from: 'const crypto_1 = require("crypto");',
    to: 'const crypto_1 = { randomUUID: () => require("crypto").randomUUID() };',
  },
  // bin/apidoctor.js runs the bundle through vm.Script, where import() needs the loader it lends
  // (src/entry/esm.ts): a JavaScript or TypeScript config file is imported through it.
  {
    file: COSMICONFIG_LOADERS,
    from: 'return (await import(href)).default;',
    to: 'return (await (globalThis.__apidoctorImport ?? ((s) => import(s)))(href)).default;',
  },
  // When import() of a JS config fails, cosmiconfig retries with require(), which Node ≥ 22.12 can also
  // use on ES modules, except one with top-level await: it then reported that ("require() cannot be used
  // on an ESM graph with top-level await") instead of the config's own error. Keep import()'s error.
  {
    file: COSMICONFIG_LOADERS,
    from: "if (requireError.code === 'ERR_REQUIRE_ESM' ||",
    to: "if (requireError.code === 'ERR_REQUIRE_ESM' || requireError.code === 'ERR_REQUIRE_ASYNC_MODULE' ||",
  },
];

/** @type {import('esbuild').Plugin} */
export const deferUnused = {
  name: 'defer-unused',
  setup(b) {
    // One onLoad per file (esbuild takes the first that answers), applying every patch for it.
    for (const file of new Set(PATCHES.map((p) => p.file))) {
      b.onLoad({ filter: file }, (args) => {
        let src = readFileSync(args.path, 'utf8');
        for (const patch of PATCHES.filter((p) => p.file === file)) {
          if (src.split(patch.from).length !== 2) throw new Error(`build: ${args.path} no longer contains, exactly once: ${patch.from}`);
          src = src.replace(patch.from, patch.to);
        }
        return { contents: src, loader: 'js' };
      });
    }
  },
};

/**
 * Files of undici that apidoctor's requests never reach, left out of the bundle (V8 would still parse
 * them at every start: ~190 KB of the ~530 KB) and required from the installed package if ever needed:
 * the body encoder for FormData request bodies (apidoctor sends strings) with the fetch internals it
 * pulls in, and llhttp without SIMD (undici falls back to it only where WebAssembly SIMD is missing).
 */
const UNDICI_LEFT_OUT = [/^\.\.\/web\/fetch\/body\.js$/, /^\.\.\/llhttp\/llhttp-wasm\.js$/];
/** @type {import('esbuild').Plugin} */
export const leaveOutUnreached = {
  name: 'leave-out-unreached',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/(web|llhttp)\// }, (args) => {
      if (!/node_modules[\\/]undici[\\/]lib[\\/]/.test(args.importer) || !UNDICI_LEFT_OUT.some((re) => re.test(args.path)))
        return undefined;
      const target = join(dirname(args.importer), args.path);
      return {
        path: `undici/lib/${relative(join(dirname(createRequire(import.meta.url).resolve('undici/package.json')), 'lib'), target)
          .split(sep)
          .join('/')}`,
        external: true,
      };
    });
  },
};

/**
 * The slim undici stays a file of its own (see the top), required when first used: src/ imports it by
 * its source path, and this turns that import() into a require() of dist/undici-slim.cjs, which needs
 * no ES module loader.
 */
/** @type {import('esbuild').Plugin} */
export const undiciApart = {
  name: 'undici-apart',
  setup(b) {
    b.onResolve({ filter: /[\\/]vendor[\\/]undici-slim\.cjs$/ }, () => ({ path: 'undici-slim', namespace: 'undici-apart' }));
    b.onLoad({ filter: /.*/, namespace: 'undici-apart' }, () => ({
      contents: "module.exports = require('./undici-slim.cjs');",
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/undici-slim\.cjs$/, namespace: 'undici-apart' }, () => ({ path: './undici-slim.cjs', external: true }));
  },
};
