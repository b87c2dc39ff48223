// Bundles src/ into dist/ with esbuild, as CommonJS: dist/run.cjs, which bin/apidoctor.js require()s.
// Not ES modules: the first import() of an ES module starts Node's ES module loader (~10 ms here,
// before anything of apidoctor runs) and each further module costs a resolve, a read and a link.
// In one CommonJS file every module of src/ is wrapped in a function run on first use, so a command's
// code still runs only when that command does; V8 only pre-parses the rest.
// commander and cosmiconfig are bundled in: as a package cosmiconfig costs ~16 ms to import, bundled
// ~5 ms (no CommonJS resolution, and node:crypto deferred, below), and only a config search runs it.
// The loaders it requires only for some files (parse-json, js-yaml, import-fresh, typescript) stay
// external and load on demand. chalk and ora (ES modules only) stay external and are imported only
// when colour or a spinner is on. The slim part of undici (src/vendor/undici-slim.cjs) is its own file,
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

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.18',
  external: ['chalk', 'ora', 'parse-json', 'js-yaml', 'import-fresh', 'typescript'],
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
    file: /node_modules[\\/]cosmiconfig[\\/]dist[\\/]loaders\.js$/,
    from: 'const crypto_1 = require("crypto");',
    to: 'const crypto_1 = { randomUUID: () => require("crypto").randomUUID() };',
  },
];

/** @type {import('esbuild').Plugin} */
const deferUnused = {
  name: 'defer-unused',
  setup(b) {
    for (const patch of PATCHES) {
      b.onLoad({ filter: patch.file }, (args) => {
        const src = readFileSync(args.path, 'utf8');
        if (src.split(patch.from).length !== 2) throw new Error(`build: ${args.path} no longer contains, exactly once: ${patch.from}`);
        return { contents: src.replace(patch.from, patch.to), loader: 'js' };
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

/** The slim undici stays a file of its own (see the top): src/ imports it by its source path. */
/** @type {import('esbuild').Plugin} */
const undiciApart = {
  name: 'undici-apart',
  setup(b) {
    b.onResolve({ filter: /[\\/]vendor[\\/]undici-slim\.cjs$/ }, () => ({ path: './undici-slim.cjs', external: true }));
  },
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({ ...common, entryPoints: ['src/run.ts'], outfile: 'dist/run.cjs', plugins: [deferUnused, undiciApart] });
await build({ ...common, entryPoints: ['src/vendor/undici-slim.cjs'], outfile: 'dist/undici-slim.cjs', plugins: [deferUnused, leaveOutUnreached] });

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
      env: {},
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
