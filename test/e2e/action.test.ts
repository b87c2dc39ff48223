/**
 * The GitHub Action (action.yml): its metadata has the shape the runner requires, and its steps, run
 * as the runner runs them (test/helpers/action-runner.ts), install apidoctor from a copy of this
 * checkout — the real install step, `npm ci` from the npm cache with no network — and check the
 * emulator: a healthy account, an empty balance and an invalid key, each with its exit code and outputs.
 * The README's action recipe is run with its own inputs.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { runAction, type ActionMetadata, type ActionRun } from '../helpers/action-runner.js';

/** js-yaml (a dependency, for YAML config files) has no types here; only load() is needed. */
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const ROOT = resolve(import.meta.dirname, '../..');
const META = yaml.load(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionMetadata;
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The `uses:` steps the test skips: Node is already here, and there is no cache service. Pinned by commit. */
const SKIPPABLE = /^actions\/(setup-node|cache)@[0-9a-f]{40}$/;

describe('action.yml: the action metadata GitHub requires', () => {
  it('has name, description and runs, and no keys the metadata syntax does not define', async () => {
    expect(typeof META.name).toBe('string');
    expect(typeof META.description).toBe('string');
    expect(META.runs).toBeTypeOf('object');
    for (const k of Object.keys(META)) expect(['name', 'author', 'description', 'inputs', 'outputs', 'runs', 'branding']).toContain(k);
  });
  it('is a composite action whose run steps each name a shell, and whose uses steps are pinned to a commit', async () => {
    expect(META.runs.using).toBe('composite');
    expect(Array.isArray(META.runs.steps)).toBe(true);
    for (const s of META.runs.steps) {
      expect(s.run !== undefined || s.uses !== undefined, `step ${s.name} has run or uses`).toBe(true);
      expect(s.run !== undefined && s.uses !== undefined, `step ${s.name} has not both`).toBe(false);
      if (s.run !== undefined) expect(s.shell, `run step "${s.name}" needs shell:`).toMatch(/^(bash|sh|pwsh|python|cmd|powershell)$/);
      if (s.uses !== undefined) expect(s.uses).toMatch(SKIPPABLE);
      if (s.id !== undefined) expect(s.id).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
    }
  });
  it('inputs: the five documented ones, each with a description; defaults are strings; required is a boolean', async () => {
    const inputs = META.inputs!;
    for (const name of ['command', 'min-balance', 'model', 'strict', 'args']) expect(Object.keys(inputs)).toContain(name);
    for (const [name, spec] of Object.entries(inputs)) {
      expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
      expect(typeof spec.description, `${name}.description`).toBe('string');
      if (spec.required !== undefined) expect(typeof spec.required).toBe('boolean');
      if (spec.default !== undefined) expect(typeof spec.default, `${name}.default is a string`).toBe('string');
      for (const k of Object.keys(spec)) expect(['description', 'required', 'default', 'deprecationMessage']).toContain(k);
    }
  });
  it('outputs: exit-code, exit-reason, root-cause, balance, each with a description and a value from a step', async () => {
    const outputs = META.outputs!;
    expect(Object.keys(outputs).sort()).toEqual(['balance', 'exit-code', 'exit-reason', 'root-cause']);
    for (const [name, spec] of Object.entries(outputs)) {
      expect(typeof spec.description, `${name}.description`).toBe('string');
      expect(spec.value).toBe(`\${{ steps.run.outputs.${name} }}`);
    }
  });
  it('no input is pasted into a script (script injection): inputs reach run steps through env only', async () => {
    for (const s of META.runs.steps) if (s.run) expect(s.run, `step "${s.name}"`).not.toMatch(/\$\{\{\s*inputs\./);
  });
  it('takes no key as an input: keys go through env', async () => {
    for (const name of Object.keys(META.inputs!)) expect(name).not.toMatch(/key|token|secret/i);
  });
});

describe('the action, run as GitHub runs it', () => {
  let emu: Emulator;
  let checkout: string;
  let install: ActionRun['logs'][number] | undefined;
  /** The runner's environment: no npm variables of an outer `npm test`, and npm offline (the cache has every package after `npm ci`). */
  const baseEnv = () => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    NO_COLOR: '1',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  });
  const secrets = (extra: Record<string, string> = {}) => ({
    MODELSWITCH_BASE_URL: emu.url,
    MODELSWITCH_API_KEY: KEYS.proxy,
    MODELSWITCH_BILLING_KEY: KEYS.billing,
    ...extra,
  });
  const act = (w: Record<string, string>, env: Record<string, string> = secrets(), actionPath = checkout) =>
    runAction(META, { actionPath, with: w, env, baseEnv: baseEnv(), skipUses: (u) => SKIPPABLE.test(u) });

  beforeAll(async () => {
    emu = await startEmulator();
    // The action's checkout as GitHub fetches it: the repository's files, nothing installed or built.
    checkout = join(mkdtempSync(join(tmpdir(), 'apidoctor-action-checkout-')), 'apidoctor');
    cpSync(ROOT, checkout, { recursive: true, filter: (src) => !/[\\/](node_modules|dist|\.git|coverage|\.bench)$/.test(src) });
    // The first run installs and builds, once for the whole suite.
    const first = await act({ command: 'doctor' });
    install = first.logs.find((l) => /Install/.test(l.name));
    if (first.code !== 0) throw new Error(`the first action run failed: ${JSON.stringify(first.logs, null, 2).slice(0, 4000)}`);
  }, 300_000);
  afterAll(async () => {
    await emu?.close();
  });

  it('the install step installs and builds from the checkout', async () => {
    expect(install?.code).toBe(0);
    expect(install?.stdout).toMatch(/apidoctor 0\.\d+\.\d+: installed and built in \d+ s/);
    console.log(`action install step (npm ci --ignore-scripts offline + build): ${install?.ms} ms`);
  });

  it('healthy account: exit 0, outputs ok with the balance, a step summary, and the install is reused', async () => {
    const r = await act({ command: 'doctor', 'min-balance': '5', strict: 'true' });
    expect(r.code).toBe(0);
    expect(r.skipped).toEqual(['Set up Node.js', 'Cache npm downloads']);
    expect(r.logs.find((l) => /Install/.test(l.name))?.stdout).toMatch(/already built/);
    expect(r.outputs).toEqual({ 'exit-code': '0', 'exit-reason': 'ok', 'root-cause': '', balance: '42.5' });
    expect(r.summary).toMatch(/### apidoctor doctor/);
    const log = r.logs.map((l) => l.stdout + l.stderr).join('\n');
    for (const k of Object.values(KEYS)) expect(log).not.toContain(k);
  });

  it('zero balance: the step fails with exit 5 and the outputs say why', async () => {
    emu.reset();
    emu.state.balance = 0;
    const r = await act({ command: 'balance', 'min-balance': '10' });
    emu.reset();
    expect(r.code).toBe(5);
    expect(r.outputs).toEqual({ 'exit-code': '5', 'exit-reason': 'balance', 'root-cause': 'balance.below-minimum', balance: '0' });
    expect(r.logs.at(-1)!.stdout).toMatch(/^::error title=apidoctor balance::/m);
  });

  it('zero balance with doctor: exit 5 (balance); the first check to fail is the proxy key refused for it', async () => {
    emu.reset();
    emu.state.balance = 0;
    const r = await act({ command: 'doctor' });
    emu.reset();
    expect(r.code).toBe(5);
    expect(r.outputs['exit-code']).toBe('5');
    expect(r.outputs['exit-reason']).toBe('balance');
    expect(r.outputs['root-cause']).toBe('api.proxy-key');
    expect(r.outputs.balance).toBe('0');
  });

  it('invalid proxy key: exit 4, root cause the proxy key check', async () => {
    const r = await act({ command: 'doctor' }, secrets({ MODELSWITCH_API_KEY: KEYS.proxyUnknown }));
    expect(r.code).toBe(4);
    expect(r.outputs).toMatchObject({ 'exit-code': '4', 'exit-reason': 'auth', 'root-cause': 'api.proxy-key' });
  });

  it('keys with extra args', async () => {
    const r = await act({ command: 'keys', args: '--expiring-within 3650' });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ 'exit-code': '1', 'exit-reason': 'failed', 'root-cause': 'key.expiring' });
  });

  it('a bad input is a usage error (exit 2) named in an annotation, and an input cannot inject shell', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'apidoctor-inject-')), 'injected');
    const r = await act({ command: `doctor; touch ${marker}`, args: `$(touch ${marker})` });
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.outputs['exit-code']).toBe('2');
    expect(r.logs.at(-1)!.stdout).toMatch(/::error title=apidoctor action::input command/);
    const m = await act({ command: 'doctor', model: `$(touch ${marker})` });
    expect(existsSync(marker)).toBe(false);
    expect(m.logs.at(-1)!.stdout + m.logs.at(-1)!.stderr).toContain(`$(touch ${marker})`);
  });

  it('a checkout whose sources are newer than its build is rebuilt, not used stale', async () => {
    // Same checkout, a source file touched after the build: the install step must not reuse dist/.
    // npm is replaced by a stand-in that only records it was called, so that no second real install runs.
    const fakeBin = mkdtempSync(join(tmpdir(), 'apidoctor-fake-npm-'));
    writeFileSync(join(fakeBin, 'npm'), '#!/bin/sh\necho "npm was called: $*"\nexit 42\n');
    chmodSync(join(fakeBin, 'npm'), 0o755);
    const src = join(checkout, 'src', 'core', 'version.ts');
    const later = new Date(Date.now() + 60_000);
    utimesSync(src, later, later);
    try {
      const r = await runAction(META, {
        actionPath: checkout,
        with: { command: 'doctor' },
        env: secrets(),
        baseEnv: { ...baseEnv(), PATH: `${fakeBin}:${process.env.PATH}` },
        skipUses: (u) => SKIPPABLE.test(u),
      });
      const step = r.logs.find((l) => /Install/.test(l.name))!;
      expect(step.stdout).toMatch(/npm was called: ci --ignore-scripts/);
      expect(step.code).toBe(42);
      expect(r.code).toBe(42);
    } finally {
      const now = new Date(Date.now() - 3_600_000);
      utimesSync(src, now, now);
    }
  });

  describe("the README's action recipe", () => {
    const block = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => /uses:\s*\S+\/apidoctor@/.test(b));
    it('is in the README, pinned to a commit, with the keys in env and the inputs of action.yml', async () => {
      expect(block, 'a yaml block that uses the action').toBeDefined();
      const steps = yaml.load(block!) as Array<{ uses?: string; with?: Record<string, unknown>; env?: Record<string, string> }>;
      const step = steps.find((s) => s.uses && /\/apidoctor@/.test(s.uses))!;
      expect(step.uses).toMatch(/^[\w.-]+\/apidoctor@[0-9a-f]{40}$|^[\w.-]+\/apidoctor@<[^>]+>$/);
      for (const k of Object.keys(step.with ?? {})) expect(Object.keys(META.inputs!)).toContain(k);
      expect(step.env?.MODELSWITCH_API_KEY).toBe('${{ secrets.MODELSWITCH_API_KEY }}');
      expect(step.env?.MODELSWITCH_BILLING_KEY).toBe('${{ secrets.MODELSWITCH_BILLING_KEY }}');
    });
    it('runs as written against a healthy account: exit 0', async () => {
      const steps = yaml.load(block!) as Array<{ uses?: string; with?: Record<string, unknown> }>;
      const step = steps.find((s) => s.uses && /\/apidoctor@/.test(s.uses))!;
      const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v)]));
      const r = await act(w);
      expect(r.code).toBe(0);
      expect(r.outputs['exit-code']).toBe('0');
    });
  });
});
