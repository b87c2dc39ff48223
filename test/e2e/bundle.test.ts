import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { emptyDir, runCli } from '../helpers/run-cli.js';
import { startProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { COMMANDS } from '../../src/config/options.js';

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
    const r = await runCli(['balance', '--json'], {
      env: { MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_BILLING_KEY: KEYS.billing, UNDICI_NO_WASM_SIMD: '1', HTTP_PROXY: proxy.url },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ command: 'balance', balance: 42.5 });
    // balance fetches the usage for the runway alongside: a tunnel each, all to the API.
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(new Set(proxy.connects)).toEqual(new Set([`127.0.0.1:${emu.port}`]));
  });
});

describe('dist/run.cjs', () => {
  // An import() in CommonJS starts Node's ES module loader (~10 ms before anything runs): the bundle keeps
  // import() only for what must be one, an ES module outside it (ora on a terminal; a config file or the
  // TypeScript compiler for one), never for its own code, which it require()s.
  it('has import() only for ES modules outside the bundle', () => {
    const src = readFileSync(join(DIST, 'run.cjs'), 'utf8');
    const imports = [...src.matchAll(/\bimport\(([^)]*)\)/g)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(0);
    for (const arg of imports) expect(arg, `import(${arg}) in dist/run.cjs`).toMatch(/^("(ora|typescript)"|[A-Za-z_$][\w$]*)$/);
    expect(imports).toContain('"ora"');
  });

  it.skipIf(!(createRequire(import.meta.url)('node:module') as { enableCompileCache?: unknown }).enableCompileCache)(
    "keeps its compiled code in Node's compile cache, in the user's own cache folder (not the shared temporary one)",
    async () => {
      const tmp = emptyDir();
      const cache = emptyDir();
      const r = await runCli(['balance', '--json'], {
        env: { TMPDIR: tmp, XDG_CACHE_HOME: cache, MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_BILLING_KEY: KEYS.billing },
      });
      expect(r.code).toBe(0);
      const dir = join(cache, 'apidoctor', 'node-compile-cache');
      expect(readdirSync(dir, { recursive: true }).length).toBeGreaterThan(0);
      // Node's own cache (a folder per Node version), not the launcher's one for Node 20.
      expect(readdirSync(dir).some((f) => f.startsWith(process.version))).toBe(true);
      expect(readdirSync(dir).filter((f) => f.endsWith('.v8'))).toEqual([]);
      expect(statSync(dir).mode & 0o077).toBe(0); // private to the user
      // Nothing in the shared temporary folder, where another user could have planted compiled code.
      expect(readdirSync(tmp)).not.toContain('node-compile-cache');
    },
  );

  // Node 20 has no compile cache: bin/apidoctor.js keeps V8's code of the bundle itself (runWithCodeCache).
  it.skipIf(!!(createRequire(import.meta.url)('node:module') as { enableCompileCache?: unknown }).enableCompileCache)(
    "keeps V8's code of the bundle in the user's own cache folder on a Node without a compile cache, and a spoilt copy is only a slower start",
    async () => {
      const cache = emptyDir();
      const env = { XDG_CACHE_HOME: cache, MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_BILLING_KEY: KEYS.billing };
      const first = await runCli(['balance', '--json'], { env });
      expect(first.code).toBe(0);
      const dir = join(cache, 'apidoctor', 'node-compile-cache');
      const kept = readdirSync(dir).filter((f) => f.endsWith('.v8'));
      expect(kept).toHaveLength(1);
      expect(kept[0]).toContain(process.version);
      expect(statSync(dir).mode & 0o077).toBe(0); // private to the user
      expect(statSync(join(dir, kept[0]!)).mode & 0o077).toBe(0);
      // Spoilt after its first line (a crash mid-write, a disk error): V8 refuses it, the run is the same.
      const file = join(dir, kept[0]!);
      expect(kept[0]).toMatch(/-balance\.v8$/);
      const bytes = readFileSync(file);
      const data = bytes.indexOf(0x0a) + 1; // the bundle's size and change time
      bytes.fill(0x5a, data);
      writeFileSync(file, bytes);
      const second = await runCli(['balance', '--json'], { env });
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, balance: JSON.parse(first.stdout).balance });
      expect(readFileSync(file).subarray(data).equals(bytes.subarray(data))).toBe(false); // written afresh
      // Another command has a file of its own, with its own code; a second run uses it and writes nothing.
      expect((await runCli(['doctor', '--json', '--only', 'config.sources'], { env })).code).toBe(0);
      const doctor = readdirSync(dir).filter((f) => f.endsWith('-doctor.v8'));
      expect(doctor).toHaveLength(1);
      const written = statSync(join(dir, doctor[0]!)).mtimeMs;
      expect((await runCli(['doctor', '--json', '--only', 'config.sources'], { env })).code).toBe(0);
      expect(statSync(join(dir, doctor[0]!)).mtimeMs).toBe(written);
    },
  );

  // On a terminal the spinner imports ora; a first run (no cache) and a second (from the cache) say nothing
  // but the result: on Node 20, Node's notice that its loader for import() in vm code is experimental is not
  // the user's concern. On a terminal of 0 columns, ora (Node 22+) cleared lines without end: no spinner
  // there. `script` gives the run a terminal.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('on a terminal prints the result and no notice of Node’s own, cache or no cache', async () => {
    const cache = emptyDir();
    const bin = join(DIST, '..', 'bin', 'apidoctor.js');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: cache,
      XDG_CACHE_HOME: cache,
      TERM: 'xterm',
      MODELSWITCH_BASE_URL: emu.url,
      MODELSWITCH_BILLING_KEY: KEYS.billing,
    };
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} balance`;
    // Sized as a terminal is, twice (no cache, then from it); then a pseudo-terminal nobody sized (0 columns).
    for (const line of [`stty cols 80 rows 24; ${command}`, `stty cols 80 rows 24; ${command}`, `stty cols 0 rows 0; ${command}`]) {
      emu.reset();
      emu.state.delayMs = 600; // long enough for the spinner to turn
      // Not spawnSync: the emulator answers from this process.
      const r = await new Promise<{ stdout: string }>((resolve) => {
        const child = spawn('script', ['-qfec', line, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        const killer = setTimeout(() => child.kill(), 10_000); // a run that never ends is ended (script ends its shell)
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.on('close', () => {
          clearTimeout(killer);
          resolve({ stdout });
        });
      });
      expect(r.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')).toMatch(/Balance\s+42\.50 USD/);
      expect(r.stdout).not.toMatch(/Warning|experimental/i);
      expect(r.stdout.split('\u001b[1A').length).toBeLessThan(50); // no flood of cursor moves
    }
    emu.reset();
  });

  it('keeps no compiled code with NODE_DISABLE_COMPILE_CACHE=1, on any Node', async () => {
    const cache = emptyDir();
    const r = await runCli(['balance', '--json'], {
      env: { NODE_DISABLE_COMPILE_CACHE: '1', XDG_CACHE_HOME: cache, MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_BILLING_KEY: KEYS.billing },
    });
    expect(r.code).toBe(0);
    expect(readdirSync(join(cache, 'apidoctor', 'node-compile-cache'), { recursive: true })).toEqual([]);
  });

  it('keeps no compiled code in a cache folder that others can write to', async () => {
    const cache = emptyDir();
    const dir = join(cache, 'apidoctor', 'node-compile-cache');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777); // as if made by someone else, or by a umask that shares it
    const r = await runCli(['balance', '--json'], {
      env: { XDG_CACHE_HOME: cache, MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_BILLING_KEY: KEYS.billing },
    });
    expect(r.code).toBe(0);
    expect(readdirSync(dir, { recursive: true })).toEqual([]);
  });

  it('names in bin/apidoctor.js the commands of src/config/options.ts (each has a code cache of its own)', () => {
    const bin = readFileSync(join(DIST, '..', 'bin', 'apidoctor.js'), 'utf8');
    const listed = /const COMMANDS = (\[[^\]]*\]);/.exec(bin)?.[1];
    expect(JSON.parse(listed!.replaceAll("'", '"'))).toEqual(Object.keys(COMMANDS));
  });

  it('is ASCII only and opened by its build line (what the code cache is named by)', () => {
    const bytes = readFileSync(join(DIST, 'run.cjs'));
    expect(bytes.findIndex((b) => b > 0x7f)).toBe(-1);
    expect(bytes.subarray(0, 26).toString()).toMatch(/^\/\/ build [0-9a-f]{16}\n/);
  });

  /** A copy of bin/ and dist/ to change, and how to run it (with a compile cache of its own). */
  function copyOfTheBuild() {
    const copy = emptyDir();
    cpSync(join(DIST, '..', 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(DIST, join(copy, 'dist'), { recursive: true });
    const bin = join(copy, 'bin', 'apidoctor.js');
    const tmp = emptyDir();
    return {
      bundle: join(copy, 'dist', 'run.cjs'),
      run: (args: string[]) =>
        runCli(args, {
          bin,
          env: { TMPDIR: tmp, XDG_CACHE_HOME: tmp, MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_BILLING_KEY: KEYS.billing },
        }),
    };
  }

  it('runs the bundle as it is now: an edit of the same length after a run (its code cached) runs the new code', async () => {
    const b = copyOfTheBuild();
    expect((await b.run(['balance'])).stdout).toContain('Fetched   ');
    const text = readFileSync(b.bundle, 'utf8');
    expect(text.split('Fetched   ').length).toBe(2);
    writeFileSync(b.bundle, text.replace('Fetched   ', 'Fetxhed   '));
    const r = await b.run(['balance']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Fetxhed');
  });

  it('FORCE_COLOR colours what the built CLI prints', async () => {
    const r = await runCli(['doctor', '--only', 'config.sources'], {
      env: { FORCE_COLOR: '1', NO_COLOR: undefined, MODELSWITCH_BASE_URL: emu.url },
    });
    expect(r.stderr).not.toMatch(/internal error|dynamic import/i);
    expect(r.stdout).toMatch(/\u001b\[32m✓/);
  });

  it('imports a JavaScript config file with import() (apidoctor.config.mjs)', async () => {
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, 'apidoctor.config.mjs'),
      `export default { baseUrl: ${JSON.stringify(emu.url)}, apiKey: ${JSON.stringify(KEYS.proxy)} };\n`,
    );
    emu.reset();
    const r = await runCli(['call', '/v1/models', '--json', '--config', 'apidoctor.config.mjs'], { cwd, env: {} });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(emu.requests.map((q) => q.path)).toEqual(['/v1/models']);
  });
});
