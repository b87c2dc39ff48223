// Bundles src/ into dist/ with esbuild, as CommonJS: dist/run.cjs, which bin/apidoctor.js require()s.
// Not ES modules: the first import() of an ES module starts Node's ES module loader (~10 ms here,
// before anything of apidoctor runs) and each further module costs a resolve, a read and a link.
// In one CommonJS file every module of src/ is wrapped in a function run on first use, so a command's
// code still runs only when that command does; V8 only pre-parses the rest.
// commander and cosmiconfig are bundled in: as a package cosmiconfig costs ~16 ms to import, bundled
// ~5 ms (no CommonJS resolution, and node:crypto deferred, below), and only a config search runs it.
// The loaders it requires only for some files (parse-json, js-yaml, import-fresh, typescript) stay
// external and load on demand. ora (an ES module only) stays external and is imported only
// when a spinner is on. The slim part of undici (src/vendor/undici-slim.cjs) is its own file,
// dist/undici-slim.cjs, loaded only for a request through a proxy: importing undici's index costs
// ~100 ms, the parts we use ~25 ms. The version is inlined from package.json.
//
// Then it writes dist/fast.json: the exact output of `--version` and `--help`, taken from the real
// program (src/cli.ts main(), bundled to a temporary file) for every help width commander can use, so
// that bin/apidoctor.js answers those two without loading anything and the text can never drift.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.18',
  external: ['ora', 'parse-json', 'js-yaml', 'import-fresh', 'typescript'],
  sourcemap: false,
  legalComments: 'none',
  // V8 parses every byte of a chunk it loads; without whitespace and comments there are ~30 % fewer
  // (doctor ~10 ms faster here). Identifiers are kept, so names in messages and checks stay as written.
  minifyWhitespace: true,
  minifySyntax: true,
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

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
  // (src/esm.ts): a JavaScript or TypeScript config file is imported through it.
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
  {
    file: COSMICONFIG_LOADERS,
    from: "typescript = (await import('typescript')).default;",
    to: "typescript = (await (globalThis.__apidoctorImport ?? ((s) => import(s)))('typescript')).default;",
  },
];

/** @type {import('esbuild').Plugin} */
const deferUnused = {
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
const leaveOutUnreached = {
  name: 'leave-out-unreached',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/(web|llhttp)\// }, (args) => {
      if (!/node_modules[\\/]undici[\\/]lib[\\/]/.test(args.importer) || !UNDICI_LEFT_OUT.some((re) => re.test(args.path))) return undefined;
      const target = join(dirname(args.importer), args.path);
      return { path: `undici/lib/${relative(join(dirname(createRequire(import.meta.url).resolve('undici/package.json')), 'lib'), target).split(sep).join('/')}`, external: true };
    });
  },
};

/**
 * The slim undici stays a file of its own (see the top), required when first used: src/ imports it by
 * its source path, and this turns that import() into a require() of dist/undici-slim.cjs, which needs
 * no ES module loader.
 */
/** @type {import('esbuild').Plugin} */
const undiciApart = {
  name: 'undici-apart',
  setup(b) {
    b.onResolve({ filter: /[\\/]vendor[\\/]undici-slim\.cjs$/ }, () => ({ path: 'undici-slim', namespace: 'undici-apart' }));
    b.onLoad({ filter: /.*/, namespace: 'undici-apart' }, () => ({ contents: "module.exports = require('./undici-slim.cjs');", loader: 'js' }));
    b.onResolve({ filter: /^\.\/undici-slim\.cjs$/, namespace: 'undici-apart' }, () => ({ path: './undici-slim.cjs', external: true }));
  },
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({ ...common, entryPoints: ['src/run.ts'], outfile: 'dist/run.cjs', plugins: [deferUnused, undiciApart] });
await build({ ...common, entryPoints: ['src/vendor/undici-slim.cjs'], outfile: 'dist/undici-slim.cjs', plugins: [deferUnused, leaveOutUnreached] });

// The library (`import { diagnose } from 'apidoctor'`, src/lib.ts): two small bundles of its own, CommonJS
// and ESM, apart from the CLI's (whose start-up path above it does not touch), with no external package:
// it loads only the readers and the engine, never commander, chalk or ora. Its types: one declaration file,
// src/types.ts' declarations with src/lib.ts' own, written for import (lib.d.ts) and require (lib.d.cts).
const lib = { ...common, external: [], entryPoints: ['src/lib.ts'], minifyWhitespace: false };
await build({ ...lib, format: 'cjs', outfile: 'dist/lib.cjs' });
await build({ ...lib, format: 'esm', outfile: 'dist/lib.mjs' });
{
  const { execFileSync } = await import('node:child_process');
  const decl = fileURLToPath(new URL('../dist/.decl/', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, 'src/lib.ts', '--declaration', '--emitDeclarationOnly', '--outDir', decl, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck', '--types', 'node'], { stdio: ['ignore', 'inherit', 'inherit'] });
    const types = readFileSync(join(decl, 'types.d.ts'), 'utf8');
    const own = readFileSync(join(decl, 'lib.d.ts'), 'utf8');
    if (/^import (?!type \{[^}]*\} from '\.\/types\.js')/m.test(own) || /from '\.\/(?!types\.js)/.test(own)) throw new Error(`build: dist/lib.d.ts would need more than src/types.ts:\n${own}`);
    const merged = `// The types of apidoctor's library (import { diagnose } from 'apidoctor').\n${types}\n${own.replace(/^import type \{[^}]*\} from '\.\/types\.js';\n/gm, '').replace(/^export type \{[^}]*\} from '\.\/types\.js';\n/gm, '')}`;
    writeFileSync(new URL('../dist/lib.d.ts', import.meta.url), merged);
    writeFileSync(new URL('../dist/lib.d.cts', import.meta.url), merged.replace(/^export default diagnose;$/m, ''));
  } finally {
    rmSync(decl, { recursive: true, force: true });
  }
}

/** Help widths precomputed; a terminal wider than this falls back to commander itself. */
const MAX_WIDTH = 300;

/**
 * Runs main() in this process with stdout faked as a terminal of `width` columns (undefined: not a
 * terminal), which is all commander looks at to lay out help.
 */
async function capture(main, args, width) {
  const saved = { isTTY: Object.getOwnPropertyDescriptor(process.stdout, 'isTTY'), columns: Object.getOwnPropertyDescriptor(process.stdout, 'columns') };
  Object.defineProperty(process.stdout, 'isTTY', { value: width !== undefined, configurable: true, writable: true });
  Object.defineProperty(process.stdout, 'columns', { value: width, configurable: true, writable: true });
  let out = '';
  let err = '';
  try {
    const code = await main(args, {
      // The width as the CLI reads it when stdout is not a terminal (help follows the width of the rest of the output).
      env: width !== undefined ? { COLUMNS: String(width) } : {},
      cwd: process.cwd(),
      stdout: { write: (s) => ((out += s), true), isTTY: false },
      stderr: { write: (s) => ((err += s), true), isTTY: false },
      stdin: process.stdin,
      signal: new AbortController().signal,
    });
    if (code !== 0 || err !== '') throw new Error(`apidoctor ${args.join(' ')} (width ${width}) exited ${code}: ${err}`);
    return out;
  } finally {
    for (const [k, d] of Object.entries(saved)) {
      if (d) Object.defineProperty(process.stdout, k, d);
      else delete process.stdout[k];
    }
  }
}

// Inside dist/ so that the external packages resolve as they do for dist/run.cjs; removed below.
const tmp = new URL('../dist/.fast-gen/', import.meta.url);
try {
  const file = new URL('cli.cjs', tmp);
  await build({ ...common, entryPoints: ['src/cli.ts'], outfile: file.pathname, plugins: [deferUnused, undiciApart] });
  const { main } = createRequire(import.meta.url)(file.pathname);

  const version = await capture(main, ['--version'], undefined);
  if ((await capture(main, ['-V'], undefined)) !== version) throw new Error('-V and --version differ');

  const lines = [];
  const lineIndex = new Map();
  const variants = [];
  const variantIndex = new Map();
  const encode = (text) => {
    let v = variantIndex.get(text);
    if (v === undefined) {
      const ids = text.split('\n').map((l) => {
        let i = lineIndex.get(l);
        if (i === undefined) lineIndex.set(l, (i = lines.push(l) - 1));
        return i;
      });
      variantIndex.set(text, (v = variants.push(ids) - 1));
    }
    return v;
  };
  // byWidth[w] is the help for commander's help width w (a terminal of w columns); not a terminal means 80.
  const byWidth = [];
  for (let w = 0; w <= MAX_WIDTH; w++) {
    const text = await capture(main, ['--help'], w);
    if ((await capture(main, ['-h'], w)) !== text) throw new Error(`-h and --help differ at width ${w}`);
    byWidth.push(encode(text));
  }
  if ((await capture(main, ['--help'], undefined)) !== (await capture(main, ['--help'], 80))) throw new Error('help without a terminal is not the 80-column help');
  writeFileSync(new URL('../dist/fast.json', import.meta.url), JSON.stringify({ version, help: { lines, variants, byWidth } }));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * V8's code cache for dist/run.cjs (dist/run.v8cache), read by bin/apidoctor.js: made by running the
 * common command lines against a stand-in for the API on 127.0.0.1, so that it holds the functions a
 * real run calls (V8 compiles a function only when first called, so a cache made without running
 * would hold little more than the top level). A run through an HTTP proxy is left out on purpose:
 * undici switches a V8 flag, and V8 rejects a cache made under other flags.
 */
async function trainCodeCache() {
  const { createServer } = await import('node:http');
  const { spawn } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const answers = {
    'GET /v1/models': [200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: 'openai' }, { id: 'claude-3-5-haiku', object: 'model', owned_by: 'anthropic' }] }],
    'GET /api/keys': [200, { keys: [{ id: 1, name: 'build', key_prefix: 'ms-0123456', is_active: true, created_at: '2026-01-01T00:00:00Z' }] }],
    'GET /api/balance': [200, { balance: 12.5, currency: 'USD' }],
    'GET /api/usage': [200, { usage: [], total: 0 }],
  };
  const server = createServer((req, res) => {
    const [status, body] = answers[`${req.method} ${req.url.split('?')[0]}`] ?? [404, { error: { message: `Unknown path ${req.url}`, type: 'not_found_error', code: 'not_found' } }];
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const closed = createServer();
  await new Promise((r) => closed.listen(0, '127.0.0.1', r));
  const closedPort = closed.address().port;
  await new Promise((r) => closed.close(r));
  const work = mkdtempSync(join(tmpdir(), 'apidoctor-train-'));
  const saved = join(work, '429.json');
  writeFileSync(saved, JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }));
  const base = `http://127.0.0.1:${server.address().port}`;
  const env = {
    PATH: process.env.PATH ?? '',
    // V8 accepts a cache only under the flags it was made with: keep any set here (--max-old-space-size
    // in a CI job, say), which the runs on this machine will have too.
    ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
    HOME: work,
    NO_COLOR: '1',
    MODELSWITCH_BASE_URL: base,
    MODELSWITCH_API_KEY: 'ms-0123456789abcdef0123456789abcdef',
    MODELSWITCH_BILLING_KEY: 'mk-0123456789abcdef0123456789abcdef',
  };
  const runs = [
    [['doctor', '--json']],
    [['doctor']],
    [['balance', '--json']],
    [['balance', '--min', '5']],
    [['call', '/v1/models']],
    [['call', '/v1/nothing-here', '--json']],
    [['keys', 'list']],
    [['explain', saved, '--status', '429']],
    [['doctor'], { MODELSWITCH_BASE_URL: `http://127.0.0.1:${closedPort}` }],
  ];
  const script = fileURLToPath(new URL('./train-code-cache.cjs', import.meta.url));
  try {
    for (const [args, extra] of runs) {
      const { code, stderr } = await new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script, ...args], { cwd: work, env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('error', reject);
        child.on('close', (c) => (clearTimeout(timer), resolve({ code: c, stderr: err })));
      });
      if (code === null || /internal error|could not start|at .+:\d+:\d+\)/.test(stderr)) throw new Error(`apidoctor ${args.join(' ')} exited ${code}: ${stderr.split('\n').filter((l) => l.trim() && !/^\s+at /.test(l)).slice(0, 4).join(' | ')}`);
    }
  } finally {
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
  // The cache should be one this Node accepts for the source bin/apidoctor.js compiles. If not (flags
  // that differ between this process and its children), apidoctor still works, compiling from source.
  const require = createRequire(import.meta.url);
  const { script: compiled } = require('../bin/apidoctor.js').compileCli();
  if (compiled.cachedDataRejected !== false) process.stderr.write('build: warning: V8 does not accept dist/run.v8cache in this process; apidoctor will compile from source at each start\n');
}
// The cache only makes starts faster: if it cannot be made here (say NODE_OPTIONS preloads a module
// the training runs cannot find), apidoctor compiles from source at each start, and the build goes on.
try {
  await trainCodeCache();
} catch (e) {
  rmSync(new URL('../dist/run.v8cache', import.meta.url), { force: true });
  process.stderr.write(`build: warning: no V8 code cache (apidoctor will compile from source at each start, ~10 ms slower): ${e?.message ?? e}\n`);
}
