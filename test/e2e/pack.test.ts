/**
 * A real install: `npm pack` the project as it is built, install the tarball into an empty project
 * (from the npm cache when it has the dependencies, else from the registry), and run the installed
 * `apidoctor`. The package holds only what a user needs: no tests, fixtures, sources or scripts.
 *
 * Packs with --ignore-scripts: `npm test` has just built dist/ (pretest). The package declares no
 * `prepare` (the build is an explicit `npm run build`), so installing the tarball runs no script.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, KEYS, PRESETS, type Emulator } from '../emulator/server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string> };
const run = promisify(execFile);

/**
 * The environment for npm: ours, minus what an outer `npm test` sets about this project
 * (npm_config_local_prefix would point npm install back at the repository).
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|config_(local_prefix|prefix|global|dry_run|ignore_scripts)$)|^INIT_CWD$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

interface PackFile {
  path: string;
  size: number;
  mode: number;
}

const npm = (args: string[], cwd: string, timeout = 120_000) =>
  run('npm', args, { cwd, env: npmEnv(), timeout, maxBuffer: 16 * 1024 * 1024 });

describe('npm pack: the package holds only what a user needs', () => {
  it('npm pack --dry-run --json lists bin/, dist/, README.md and package.json, and nothing else', async () => {
    const { stdout } = await npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT);
    const [info] = JSON.parse(stdout) as Array<{ name: string; version: string; files: PackFile[]; unpackedSize: number }>;
    expect(info).toMatchObject({ name: PKG.name, version: PKG.version });
    const paths = info!.files.map((f) => f.path).sort();
    // the library (dist/lib.*) is the one ES module and the only declarations the package ships
    const LIBRARY = ['dist/lib.cjs', 'dist/lib.mjs', 'dist/lib.d.ts', 'dist/lib.d.cts'];
    for (const p of paths)
      expect(p, `unexpected file in the package: ${p}`).toMatch(
        /^(README\.md|package\.json|LICENSE(\.md)?|bin\/[\w.-]+\.(js|json)|dist\/[\w./-]+\.(cjs|json|v8cache)|dist\/lib\.(mjs|d\.ts|d\.cts))$/,
      );
    for (const p of paths.filter((x) => !LIBRARY.includes(x)))
      expect(p, `test or build material in the package: ${p}`).not.toMatch(
        /(^|\/)(test|tests|fixtures|__tests__|src|scripts|bench|coverage|node_modules)\/|\.(ts|map|crt|key|pem)$|\.test\./,
      );
    for (const needed of [
      'README.md',
      'package.json',
      'dist/run.cjs',
      'dist/undici-slim.cjs',
      ...LIBRARY,
      ...Object.values(PKG.bin).map((b) => b.replace(/^\.\//, '')),
    ])
      expect(paths).toContain(needed);
    const bin = info!.files.find((f) => f.path === Object.values(PKG.bin)[0]!.replace(/^\.\//, ''));
    expect(bin!.mode & 0o111, 'the bin is executable').not.toBe(0);
    expect(info!.unpackedSize, 'the package is small').toBeLessThan(5 * 1024 * 1024);
  });
});

describe('npm ci in the checkout', () => {
  it('leaves no install script unreviewed (no allowScripts warning): esbuild is allowed in package.json', async () => {
    const { stdout } = await npm(['install-scripts', 'ls', '--json'], ROOT);
    expect((JSON.parse(stdout) as { allowScripts: unknown[] }).allowScripts).toEqual([]);
  });
});

describe('a real install of the packed tarball', () => {
  let emu: Emulator;
  let project: string;
  let bin: string;
  let installed: { stdout: string; stderr: string };

  beforeAll(async () => {
    emu = await startEmulator();
    const work = mkdtempSync(join(tmpdir(), 'apidoctor-pack-'));
    const { stdout } = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
    const tgz = join(work, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
    project = join(work, 'project');
    await run('mkdir', [project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'apidoctor-install-test', version: '1.0.0', private: true }));
    // --prefer-offline: the npm cache has chalk, ora, cosmiconfig… after `npm ci`; the registry only if it does not.
    installed = await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--prefix', project, tgz], project);
    bin = join(project, 'node_modules', '.bin', 'apidoctor');
  }, 180_000);

  afterAll(async () => {
    await emu?.close();
  });

  /** Runs the installed bin as a user would, from the project, with a clean environment. */
  const apidoctor = (args: string[], opts: { env?: Record<string, string>; input?: string } = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolvePromise) => {
      const child = execFile(
        bin,
        args,
        {
          cwd: project,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NO_COLOR: '1', ...opts.env },
          timeout: 30_000,
        },
        (err, stdout, stderr) => resolvePromise({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(opts.input ?? '');
    });

  it('the install says nothing about scripts: the packed package.json declares no prepare (or other install) script', () => {
    expect(installed.stderr).not.toMatch(/prepare|install-scripts|allowScripts/i);
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules', PKG.name, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    for (const s of ['prepare', 'preinstall', 'install', 'postinstall']) expect(pkg.scripts?.[s], `scripts.${s}`).toBeUndefined();
  });

  it('is installed from the tarball, not linked to the repository', () => {
    const real = realpathSync(bin);
    expect(real.startsWith(realpathSync(project))).toBe(true);
    expect(real).not.toContain(realpathSync(ROOT) + '/bin');
  });

  it('apidoctor --version prints the package version', async () => {
    const r = await apidoctor(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it('apidoctor explain diagnoses a saved error with no network', async () => {
    const r = await apidoctor(['explain', '--status', '429', '-'], {
      input: JSON.stringify({ error: { message: 'Rate limit exceeded', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }),
    });
    expect(r.code, r.stderr).toBe(6);
    expect(r.stdout.trim()).toBe('rate.limited');
    expect(r.stderr).toMatch(/What to do/);
  });

  describe("the library, as an app uses it: import { diagnose } from 'apidoctor' with the real openai SDK", () => {
    const node = (args: string[]) =>
      run(process.execPath, args, {
        cwd: project,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
        timeout: 60_000,
      });
    beforeAll(async () => {
      // the openai SDK beside it, as in an app (from the npm cache: it is a devDependency here)
      const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
        .devDependencies.openai!;
      await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-save', '--prefix', project, `openai@${version}`], project);
    }, 180_000);

    it("from ESM: the SDK's 429 insufficient_quota error is the balance", async () => {
      emu.state.failures.push({ ...PRESETS.insufficientQuota429, times: 1 });
      writeFileSync(
        join(project, 'app.mjs'),
        `import OpenAI from 'openai';\nimport { diagnose } from 'apidoctor';\nconst client = new OpenAI({ apiKey: ${JSON.stringify(KEYS.proxy)}, baseURL: ${JSON.stringify(`${emu.url}/v1`)}, maxRetries: 0 });\ntry { await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }); console.log('no error'); }\ncatch (err) { const d = diagnose(err); console.log(JSON.stringify({ id: d.id, category: d.category, advice: d.advice.length, title: d.title })); }\n`,
      );
      const { stdout } = await node(['app.mjs']);
      expect(JSON.parse(stdout)).toMatchObject({ id: 'balance.insufficient', category: 'balance' });
      expect(stdout).not.toContain(KEYS.proxy);
    });

    it("from CommonJS: require('apidoctor')", async () => {
      writeFileSync(
        join(project, 'app.cjs'),
        "const { diagnose } = require('apidoctor');\nconsole.log(diagnose('Error: connect ECONNREFUSED 127.0.0.1:443').id, typeof require('apidoctor').default);\n",
      );
      const { stdout } = await node(['app.cjs']);
      expect(stdout.trim()).toBe('network.refused function');
    });

    it('from TypeScript: the installed types check (ESM and CommonJS resolution), and a wrong use does not', async () => {
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const good =
        "import { diagnose, type AppDiagnosis, type Diagnosis } from 'apidoctor';\nconst d: AppDiagnosis = diagnose(new Error('x'), { status: 429 });\nconst base: Diagnosis = d;\nconst ms: number | undefined = d.retryAfterMs;\nconst steps: string[] = [...d.advice, ...d.commands];\nexport { base, ms, steps };\n";
      writeFileSync(join(project, 'good.mts'), good);
      writeFileSync(
        join(project, 'good.cts'),
        good.replace(
          /^import \{ diagnose, type AppDiagnosis, type Diagnosis \} from 'apidoctor';/,
          "import { diagnose } from 'apidoctor';\nimport type { AppDiagnosis, Diagnosis } from 'apidoctor';",
        ),
      );
      writeFileSync(
        join(project, 'bad.mts'),
        "import { diagnose } from 'apidoctor';\nconst id: number = diagnose('x').id;\nexport { id };\n",
      );
      const flags = [
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--types',
        'node',
        '--typeRoots',
        join(ROOT, 'node_modules', '@types'),
      ];
      await node([tsc, ...flags, 'good.mts', 'good.cts']);
      const bad = await node([tsc, ...flags, 'bad.mts']).then(
        () => '',
        (e: { stdout?: string }) => e.stdout ?? 'failed',
      );
      expect(bad).toMatch(/TS2322/);
    }, 120_000);
  });

  it('apidoctor doctor --json against the emulator: one JSON document, every check passing', async () => {
    const r = await apidoctor(['doctor', '--json'], {
      env: { MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_API_KEY: KEYS.proxy, MODELSWITCH_BILLING_KEY: KEYS.billing },
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      schemaVersion: number;
      command: string;
      ok: boolean;
      exitCode: number;
      checks: Array<{ id: string; status: string }>;
    };
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'doctor', ok: true, exitCode: 0, exitReason: 'ok' });
    expect(doc.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(doc.checks.find((c) => c.id === 'api.proxy-key')?.status).toBe('pass');
    expect(emu.requests.length).toBeGreaterThan(0);
    expect(r.stdout + r.stderr).not.toContain(KEYS.proxy);
  });
});
