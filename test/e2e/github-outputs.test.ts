/**
 * --format github in a workflow step: doctor, balance and keys write exit-code, exit-reason, root-cause
 * (and balance where there is one) to $GITHUB_OUTPUT in the documented heredoc form, with a random
 * delimiter that server text cannot forge.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, KEYS, PRESETS, type Emulator } from '../emulator/server.js';
import { emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli, emptyDir } from '../helpers/run-cli.js';
import { parseGithubOutput } from '../helpers/github.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

function files() {
  const dir = emptyDir();
  const output = join(dir, 'output');
  const summary = join(dir, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  return { output, summary };
}

async function step(args: string[], extra: Record<string, string | undefined> = {}) {
  const f = files();
  const r = await runCli(args, { env: emulatorEnv(emu, { GITHUB_OUTPUT: f.output, GITHUB_STEP_SUMMARY: f.summary, ...extra }) });
  expectNoKeys(r);
  const raw = readFileSync(f.output, 'utf8');
  for (const k of Object.values(KEYS)) expect(raw).not.toContain(k);
  return { r, raw, outputs: parseGithubOutput(raw) };
}

describe('doctor --format github', () => {
  it('healthy: exit-code 0, exit-reason ok, no root cause, the balance', async () => {
    const { r, outputs } = await step(['doctor', '--format', 'github']);
    expect(r.code).toBe(0);
    expect(outputs).toEqual({ 'exit-code': '0', 'exit-reason': 'ok', 'root-cause': '', balance: '42.5' });
  });
  it('an invalid proxy key: exit-code 4, root cause the proxy-key check', async () => {
    const { r, outputs } = await step(['doctor', '--format', 'github'], { MODELSWITCH_API_KEY: KEYS.proxyUnknown });
    expect(r.code).toBe(4);
    expect(outputs['exit-code']).toBe('4');
    expect(outputs['exit-reason']).toBe('auth');
    expect(outputs['root-cause']).toBe('api.proxy-key');
  });
  it('a missing key (exit 3 before any request) still writes the outputs', async () => {
    const { r, outputs } = await step(['doctor', '--format', 'github'], { MODELSWITCH_API_KEY: undefined });
    expect(r.code).toBe(3);
    expect(outputs['exit-code']).toBe('3');
    expect(outputs['exit-reason']).toBe('config');
  });
  it('without $GITHUB_OUTPUT nothing is written and the run is the same', async () => {
    const r = await runCli(['doctor', '--format', 'github'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(0);
  });
  it('with --format text nothing is written to $GITHUB_OUTPUT', async () => {
    const { raw } = await step(['doctor']);
    expect(raw).toBe('');
  });
});

describe('balance --format github', () => {
  it('above --min: exit 0 and the balance', async () => {
    const { r, outputs } = await step(['balance', '--min', '5', '--format', 'github']);
    expect(r.code).toBe(0);
    expect(outputs).toEqual({ 'exit-code': '0', 'exit-reason': 'ok', 'root-cause': '', balance: '42.5' });
    expect(r.stdout).toMatch(/^apidoctor balance: 42\.50 USD \(minimum 5\.00 USD\) — exit 0 \(ok\)$/m);
  });
  it('below --min: exit 5, an error annotation, root cause balance.below-minimum', async () => {
    const { r, outputs } = await step(['balance', '--min', '50', '--format', 'github']);
    expect(r.code).toBe(5);
    expect(outputs).toEqual({ 'exit-code': '5', 'exit-reason': 'balance', 'root-cause': 'balance.below-minimum', balance: '42.5' });
    expect(r.stdout).toMatch(/^::error title=apidoctor balance::/m);
  });
  it('a server 503 that persists: exit 9 and no balance', async () => {
    emu.state.failures.push({ ...PRESETS.unavailable, match: { path: '/api/balance' } });
    const { r, outputs } = await step(['balance', '--format', 'github']);
    expect(r.code).toBe(9);
    expect(outputs['exit-code']).toBe('9');
    expect(outputs.balance).toBe('');
  });
});

describe('keys --format github', () => {
  it('lists: exit 0', async () => {
    const { r, outputs } = await step(['keys', '--format', 'github']);
    expect(r.code).toBe(0);
    expect(outputs).toEqual({ 'exit-code': '0', 'exit-reason': 'ok', 'root-cause': '' });
  });
  it('an invalid billing key: exit 4 with its diagnosis as the root cause', async () => {
    const { r, outputs } = await step(['keys', '--format', 'github'], { MODELSWITCH_BILLING_KEY: KEYS.billingUnknown });
    expect(r.code).toBe(4);
    expect(outputs['exit-code']).toBe('4');
    expect(outputs['root-cause']).toMatch(/^auth\./);
    expect(r.stdout).toMatch(/^::error title=apidoctor keys::/m);
  });
});

describe('server text cannot forge an output', () => {
  it('a 401 whose message holds "exit-code=0" and a fake delimiter line leaves exit-code 4', async () => {
    const forged = 'bad key\nexit-code=0\nEOF\nexit-code<<EOF\n0\nEOF';
    emu.state.failures.push({
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: { error: { message: forged, type: 'authentication_error', code: 'invalid_api_key' } },
      match: { path: '/v1/models' },
    });
    const { r, raw, outputs } = await step(['doctor', '--format', 'github']);
    expect(r.code).toBe(4);
    expect(outputs['exit-code']).toBe('4');
    // Every entry uses its own random delimiter, not a guessable one.
    const delims = [...raw.matchAll(/^[a-z-]+<<(.+)$/gm)].map((m) => m[1]);
    expect(delims.length).toBeGreaterThanOrEqual(3);
    expect(new Set(delims).size).toBe(delims.length);
    for (const d of delims) expect(d).toMatch(/^ghadelimiter_[0-9a-f-]{36}$/);
  });
});
