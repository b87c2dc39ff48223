// Bundles src/ into dist/ with esbuild: one entry, commands split into chunks loaded on demand.
// commander and the slim part of undici (src/vendor/undici-slim.cjs) are bundled: importing undici's
// index costs ~100 ms, the parts we use ~25 ms. chalk, ora and cosmiconfig stay external and are
// imported only when a command needs them. The version is inlined from package.json.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ['src/run.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  external: ['chalk', 'ora', 'cosmiconfig'],
  sourcemap: false,
  legalComments: 'none',
  // Bundled CommonJS (commander, undici) calls require(); give every chunk a real one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
