/** Issue 14: doctor's smaller untruths (one diagnosis a bad key, advice that fits doctor, proxies, why rows fail). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { closedPort, emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli } from '../helpers/run-cli.js';
import { startProxy } from '../helpers/connect-proxy.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
});

type Check = { id: string; status: string; detail: string; diagnosis: string | null };
const checks = (j: Record<string, unknown>): Record<string, Check> => Object.fromEntries((j.checks as Check[]).map((c) => [c.id, c]));

describe('doctor tells the truth', () => {
  it('one bad billing key gives one diagnosis (auth.invalid-key), not a dashboard token too', async () => {
    const r = await runCli(['doctor', '--json'], {
      env: emulatorEnv(emu, { MODELSWITCH_BILLING_KEY: 'mk-test0wrong0billing0e5f6a7b8c9d0e1' }),
    });
    expectNoKeys(r);
    const ids = r.json().diagnoses.map((d: { id: string }) => d.id);
    expect(ids.filter((id: string) => id === 'auth.invalid-key')).toHaveLength(1);
    expect(ids).not.toContain('access.dashboard-token');
    expect(checks(r.json())['api.balance']?.diagnosis).toBe('auth.invalid-key');
  });

  it('the default minimum is not called "the minimum you set"', async () => {
    emu.state.balance = 0.5;
    const r = await runCli(['doctor', '--json', '--only', 'api.balance'], { env: emulatorEnv(emu) });
    const d = r.json().diagnoses.find((x: { id: string }) => x.id === 'balance.below-minimum');
    expect(d.title).not.toContain('you set');
    expect(d.notes.join(' ')).toContain("doctor's default minimum is 1.00 USD");
    const set = await runCli(['doctor', '--json', '--only', 'api.balance', '--min-balance', '2'], { env: emulatorEnv(emu) });
    expect(set.json().diagnoses[0].notes.join(' ')).toContain('the minimum you set is 2.00 USD (--min-balance)');
  });

  it('an unreachable port: no advice to run apidoctor doctor, from inside doctor', async () => {
    const port = await closedPort();
    const r = await runCli(['doctor', '--json'], { env: emulatorEnv(emu, { MODELSWITCH_BASE_URL: `http://127.0.0.1:${port}` }) });
    expect(r.code).toBe(7);
    const remedies = r.json().diagnoses.flatMap((d: { remedies: string[] }) => d.remedies);
    expect(remedies.length).toBeGreaterThan(0);
    expect(remedies.join('\n')).not.toMatch(/apidoctor doctor/);
  });

  it('the summary names what is wrong and which check found it', async () => {
    emu.state.balance = 0;
    // A wide terminal, so that the summary stays on one line (at 80 columns it wraps under itself).
    const r = await runCli(['doctor'], { env: emulatorEnv(emu, { COLUMNS: '200' }) });
    expect(r.stdout).toMatch(/root cause: balance\.insufficient \(found by api\.proxy-key\)/);
  });

  it('HTTPS_PROXY with an http base URL is not "no proxy configured"', async () => {
    const r = await runCli(['doctor', '--json', '--only', 'network.proxy'], {
      env: emulatorEnv(emu, { HTTPS_PROXY: 'http://127.0.0.1:9' }),
    });
    const c = checks(r.json())['network.proxy']!;
    expect(c.status).toBe('warn');
    expect(c.detail).toContain('applies to https:// only');
  });

  it('a proxy that refuses connections is not ✓', async () => {
    const dead = await startProxy();
    const url = dead.url;
    await dead.close();
    const r = await runCli(['doctor', '--json', '--only', 'network.proxy'], { env: emulatorEnv(emu, { HTTP_PROXY: url }) });
    const c = checks(r.json())['network.proxy']!;
    expect(c.status).toBe('fail');
    expect(c.diagnosis).toBe('network.proxy');
    expect(c.detail).toContain('does not take connections (ECONNREFUSED)');
  });

  it('doctor and keys give one day count for the same key (2.6 days: 3 in both)', async () => {
    emu.state.keys[0]!.expiresAt = new Date(Date.now() + 2.6 * 86_400_000).toISOString();
    const d = await runCli(['doctor', '--json', '--only', 'api.key-record'], { env: emulatorEnv(emu) });
    expect(checks(d.json())['api.key-record']?.detail).toContain('expires in 3 days');
    const k = await runCli(['keys', '--expiring-within', '7'], { env: emulatorEnv(emu) });
    expect(k.stderr).toContain('(in 3 days)');
  });

  it('a failing row says why: a 200 whose body is not JSON', async () => {
    emu.state.failures.push({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><title>Portal</title></html>',
      match: { path: '/v1/models' },
    });
    const r = await runCli(['doctor', '--json', '--only', 'api.proxy-key'], { env: emulatorEnv(emu) });
    expect(checks(r.json())['api.proxy-key']?.detail).toMatch(/GET \/v1\/models: HTTP 200, but the body is not JSON/);
  });
});
