import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { runCli } from '../helpers/run-cli.js';
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
  // An import() in CommonJS starts Node's ES module loader (~10 ms before anything runs): only what
  // cannot be required may be imported, and only where it is used: chalk and ora (ES modules, on a
  // terminal), a TypeScript config file's compiler, and undici (behind a proxy).
  it('imports nothing at run time but chalk, ora, typescript and the slim undici', () => {
    const src = readFileSync(join(DIST, 'run.cjs'), 'utf8');
    const imported = [...new Set([...src.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!))].sort();
    expect(imported).toEqual(['./undici-slim.cjs', 'chalk', 'ora', 'typescript']);
  });
});
