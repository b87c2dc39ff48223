/**
 * doctor in a rate-limit blip: its API checks retry as `call` does (Retry-After honoured, every attempt
 * shown), so a CI health check does not fail on a transient 429 or 503 that balance and call recover from.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, PRESETS, type Emulator, type FailureRule } from '../emulator/server.js';
import { emulatorEnv } from '../helpers/emulated.js';
import { runCli } from '../helpers/run-cli.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

const on = (path: string, spec: object, times: number): FailureRule => ({ ...spec, match: { path }, times }) as FailureRule;
const check = (doc: Record<string, any>, id: string) =>
  (doc.checks as Array<{ id: string; status: string; detail: string }>).find((c) => c.id === id)!;

describe('doctor retries a transient failure', () => {
  it('two 429s with Retry-After: 1 on /v1/models, then OK: exit 0, the attempts shown', async () => {
    emu.state.failures.push(on('/v1/models', PRESETS.rateLimited, 2));
    const r = await runCli(['doctor', '--json'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(0);
    const c = check(r.json(), 'api.proxy-key');
    expect(c.status).toBe('pass');
    expect(c.detail).toContain('(3 attempts: 429, 429, 200)');
    expect(emu.requests.filter((q) => q.path === '/v1/models')).toHaveLength(3);
  });

  it('the same blip in the text report: the line says it took 3 attempts, the run is healthy', async () => {
    emu.state.failures.push(on('/v1/models', PRESETS.rateLimited, 2));
    const r = await runCli(['doctor'], { env: emulatorEnv(emu, { COLUMNS: '200' }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Proxy key accepted.*3 attempts: 429, 429, 200/);
    expect(r.stdout).toMatch(/healthy/);
  });

  it('a 503 once on /api/balance and /api/keys: both recover, exit 0', async () => {
    emu.state.failures.push(on('/api/balance', PRESETS.unavailable, 1), on('/api/keys', PRESETS.unavailable, 1));
    const r = await runCli(['doctor', '--json'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(0);
    expect(check(r.json(), 'api.balance').detail).toContain('(2 attempts: 503, 200)');
    expect(check(r.json(), 'api.billing-key').detail).toContain('(2 attempts: 503, 200)');
  });

  it('a 429 that is really an empty balance is not retried', async () => {
    emu.state.failures.push(on('/v1/models', PRESETS.insufficientQuota429, 5));
    const r = await runCli(['doctor', '--json'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(5);
    expect(emu.requests.filter((q) => q.path === '/v1/models')).toHaveLength(1);
  });

  it('a Retry-After beyond the timeout is not waited for: the check fails at once with exit 6', async () => {
    emu.state.failures.push(on('/v1/models', PRESETS.rateLimitedLongRetry, 5));
    const r = await runCli(['doctor', '--json'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(6);
    expect(r.durationMs).toBeLessThan(10_000);
    expect(emu.requests.filter((q) => q.path === '/v1/models')).toHaveLength(1);
  });
});
