import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { emptyDir, runCli } from '../helpers/run-cli.js';
import { startProxy, type ConnectProxy } from '../helpers/connect-proxy.js';

// undici carries apidoctor's requests only through a proxy (src/http/client.ts); scripts/build.mjs leaves
// out of the bundle the undici files those requests never reach, to be required from the installed
// package if ever needed. These tests prove that they still load.

const DIST = resolve(import.meta.dirname, '../../dist');
let emu: Emulator;
let proxy: ConnectProxy;
beforeAll(async () => {
  emu = await startEmulator();
  proxy = await startProxy();
});
afterAll(async () => {
  await emu.close();
  await proxy.close();
});

describe('undici files left out of the bundle', () => {
  it('are required from the installed package, by a name that resolves', () => {
    const src = readFileSync(join(DIST, 'undici-slim.cjs'), 'utf8');
    const names = [...new Set([...src.matchAll(/require\("(undici\/[^"]+)"\)/g)].map((m) => m[1]!))].sort();
    for (const n of names) expect(() => createRequire(join(DIST, 'undici-slim.cjs')).resolve(n)).not.toThrow();
    expect(names).toEqual(['undici/lib/llhttp/llhttp-wasm.js', 'undici/lib/web/fetch/body.js']);
  });

  it('llhttp without SIMD (UNDICI_NO_WASM_SIMD=1) still parses the answer through a proxy', async () => {
    const r = await runCli(['balance', '--json'], { env: { MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_BILLING_KEY: KEYS.billing, UNDICI_NO_WASM_SIMD: '1', HTTP_PROXY: proxy.url } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ command: 'balance', balance: 42.5 });
    // balance fetches the usage for the runway alongside: a tunnel each, all to the API.
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(new Set(proxy.connects)).toEqual(new Set([`127.0.0.1:${emu.port}`]));
  });
});

describe('dist/run.cjs', () => {
  // An import() in CommonJS starts Node's ES module loader (~10 ms before anything runs), and in code
  // compiled by vm.Script (bin/apidoctor.js, for V8's code cache) it has no loader at all: every
  // import() must go through the loader the bin lends (src/esm.ts), with import() itself only as the
  // fallback when there is none (tests, tsx). Only ES modules are imported: chalk and ora (on a
  // terminal) and config files; undici is required.
  it('has no import() of its own: only the fallbacks next to the lent loader', () => {
    const src = readFileSync(join(DIST, 'run.cjs'), 'utf8');
    const imports = [...src.matchAll(/\bimport\(([^)]*)\)/g)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(0);
    for (const arg of imports) expect(arg, `import(${arg}) in dist/run.cjs`).toMatch(/^[a-z]+$/);
    expect(src.match(/globalThis\.__apidoctorImport/g)?.length).toBe(imports.length);
  });

  it('comes with a V8 code cache that this Node accepts', () => {
    const { compileCli } = createRequire(import.meta.url)('../../bin/apidoctor.js') as { compileCli(): { script: { cachedDataRejected?: boolean } } };
    expect(compileCli().script.cachedDataRejected).toBe(false);
  });

  /** A copy of bin/ and dist/ to damage, and how to compile it and to run it. */
  function copyOfTheBuild() {
    const copy = emptyDir();
    cpSync(join(DIST, '..', 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(DIST, join(copy, 'dist'), { recursive: true });
    const bin = join(copy, 'bin', 'apidoctor.js');
    return {
      bundle: join(copy, 'dist', 'run.cjs'),
      cache: join(copy, 'dist', 'run.v8cache'),
      compile: () => (createRequire(join(copy, 'x.cjs'))('./bin/apidoctor.js') as { compileCli(): { script: { cachedDataRejected?: boolean } } }).compileCli().script,
      run: (args: string[]) => runCli(args, { bin, env: { MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_BILLING_KEY: KEYS.billing } }),
    };
  }

  it('uses the code cache only with the bundle it was made from: an edit of the same length runs the new code', async () => {
    // V8 checks only that the source has the same length: given a stale cache it would run the old code.
    const b = copyOfTheBuild();
    const text = readFileSync(b.bundle, 'utf8');
    expect(text.split('Fetched   ').length).toBe(2);
    writeFileSync(b.bundle, text.replace('Fetched   ', 'Fetxhed   '));
    expect(b.compile().cachedDataRejected).toBeUndefined();
    const r = await b.run(['balance']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Fetxhed');
    writeFileSync(b.bundle, text);
    expect(b.compile().cachedDataRejected).toBe(false);
  });

  it.each([
    ['bytes flipped in the middle', (d: Buffer) => d.subarray(200_000, 200_400).forEach((x, i, a) => (a[i] = x ^ 0x5a))],
    ['its tail zeroed', (d: Buffer) => d.fill(0, d.length - 5_000)],
    ['cut short', (d: Buffer) => d.subarray(0, d.length >> 1)],
  ] as const)('a damaged code cache (%s) is ignored: the bundle compiles from source, no crash', async (_what, damage) => {
    const b = copyOfTheBuild();
    const data = readFileSync(b.cache);
    expect(data.length).toBeGreaterThan(205_000);
    const damaged = damage(data);
    writeFileSync(b.cache, damaged instanceof Buffer ? damaged : data);
    expect(b.compile().cachedDataRejected).toBeUndefined();
    const r = await b.run(['balance', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ command: 'balance', balance: 42.5 });
  });

  it('imports chalk through the lent loader: FORCE_COLOR colours what the built CLI prints', async () => {
    const r = await runCli(['doctor', '--only', 'config.sources'], { env: { FORCE_COLOR: '1', NO_COLOR: undefined, MODELSWITCH_BASE_URL: emu.url } });
    expect(r.stderr).not.toMatch(/internal error|dynamic import/i);
    expect(r.stdout).toMatch(/\u001b\[32m✓/);
  });

  it('imports a JavaScript config file through the lent loader (apidoctor.config.mjs)', async () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'apidoctor.config.mjs'), `export default { baseUrl: ${JSON.stringify(emu.url)}, apiKey: ${JSON.stringify(KEYS.proxy)} };\n`);
    emu.reset();
    const r = await runCli(['call', '/v1/models', '--json', '--config', 'apidoctor.config.mjs'], { cwd, env: {} });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(emu.requests.map((q) => q.path)).toEqual(['/v1/models']);
  });
});
