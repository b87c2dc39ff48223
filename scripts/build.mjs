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
// The start-up tricks it applies live in scripts/startup/ (source patches, dist/fast.json for `--version`
// and `--help`, an ASCII-only bundle with a build line, framed as a script whose value is the module's
// function); bin/apidoctor.js lists them all. The same commit builds the same bytes
// (scripts/check-reproducible.mjs).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deferUnused, leaveOutUnreached, undiciApart } from './startup/patches.mjs';
import { writeFastAnswers } from './startup/fast-answers.mjs';
import { asciiOnly, asModuleFunction, withBuildLine } from './startup/ascii.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.18',
  external: ['ora', 'parse-json', 'js-yaml', 'import-fresh', 'typescript'],
  sourcemap: false,
  legalComments: 'none',
  // V8 reads, parses and keeps every byte of the bundle it loads: without whitespace and comments there are
  // ~30 % fewer (doctor ~10 ms faster here), with short local names 21 % fewer again (482 → 381 kB; doctor
  // 253 → 249 ms, 24 interleaved runs on Node 20). No message or check depends on a function's or class's
  // own name: the error classes set theirs (src/core/errors.ts), and nothing reads `constructor.name`.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({ ...common, entryPoints: ['src/entry/run.ts'], outfile: 'dist/run.cjs', plugins: [deferUnused, undiciApart] });
{
  const run = new URL('../dist/run.cjs', import.meta.url);
  writeFileSync(run, withBuildLine(asModuleFunction(asciiOnly(readFileSync(run, 'utf8')))));
}
await build({
  ...common,
  entryPoints: ['src/vendor/undici-slim.cjs'],
  outfile: 'dist/undici-slim.cjs',
  plugins: [deferUnused, leaveOutUnreached],
});

// The library (`import { diagnose } from 'apidoctor'`, src/lib.ts): two small bundles of its own, CommonJS
// and ESM, apart from the CLI's (whose start-up path above it does not touch), with no external package:
// it loads only the readers and the engine, never commander, chalk or ora. Its types: one declaration file,
// src/core/types.ts' declarations with src/lib.ts' own, written for import (lib.d.ts) and require (lib.d.cts).
const lib = { ...common, external: [], entryPoints: ['src/lib.ts'], minifyWhitespace: false, minifyIdentifiers: false };
await build({ ...lib, format: 'cjs', outfile: 'dist/lib.cjs' });
await build({ ...lib, format: 'esm', outfile: 'dist/lib.mjs' });
{
  const { execFileSync } = await import('node:child_process');
  const decl = fileURLToPath(new URL('../dist/.decl/', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(
      process.execPath,
      [
        tsc,
        'src/lib.ts',
        '--declaration',
        '--emitDeclarationOnly',
        '--outDir',
        decl,
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--strict',
        '--skipLibCheck',
        '--types',
        'node',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const types = readFileSync(join(decl, 'core', 'types.d.ts'), 'utf8');
    const own = readFileSync(join(decl, 'lib.d.ts'), 'utf8');
    if (/^import (?!type \{[^}]*\} from '\.\/core\/types\.js')/m.test(own) || /from '\.\/(?!core\/types\.js)/.test(own))
      throw new Error(`build: dist/lib.d.ts would need more than src/core/types.ts:\n${own}`);
    const merged = `// The types of apidoctor's library (import { diagnose } from 'apidoctor').\n${types}\n${own.replace(/^import type \{[^}]*\} from '\.\/core\/types\.js';\n/gm, '').replace(/^export type \{[^}]*\} from '\.\/core\/types\.js';\n/gm, '')}`;
    writeFileSync(new URL('../dist/lib.d.ts', import.meta.url), merged);
    writeFileSync(new URL('../dist/lib.d.cts', import.meta.url), merged.replace(/^export default diagnose;$/m, ''));
  } finally {
    rmSync(decl, { recursive: true, force: true });
  }
}

await writeFastAnswers({ ...common, plugins: [deferUnused, undiciApart] });
