import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { startEmulator, KEYS, PRESETS, type Emulator, type FailureRule } from '../emulator/server.js';
import { closedPort, emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli, emptyDir, flat } from '../helpers/run-cli.js';

let emu: Emulator;
const env = (extra: Record<string, string | undefined> = {}) => emulatorEnv(emu, extra);

type Check = { id: string; status: string; blockedBy: string | null; diagnosis: string | null; durationMs: number; detail: string };
const byId = (doc: Record<string, any>) => Object.fromEntries((doc.checks as Check[]).map((c) => [c.id, c]));

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

describe('doctor: healthy', () => {
  it('passes every check and exits 0; the report names the source of each setting', async () => {
    const r = await runCli(['doctor'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/proxy key from MODELSWITCH_API_KEY/);
    expect(r.stdout).toMatch(/✓ Proxy key accepted/);
    expect(r.stdout).toMatch(/✓ Balance .*42\.50 USD/);
    expect(r.stdout).toMatch(/healthy/);
    expect(r.stdout).not.toMatch(/✗/);
    expectNoKeys(r);
  });

  it('--json gives every check with status, durationMs, blockedBy, diagnosis and evidence', async () => {
    const r = await runCli(['doctor', '--json', '--model', 'gpt-4o'], { env: env() });
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'doctor', ok: true, exitCode: 0, exitReason: 'ok', diagnoses: [] });
    const checks = byId(doc);
    for (const id of [
      'config.sources',
      'key.proxy',
      'key.billing',
      'network.tcp',
      'api.proxy-key',
      'api.billing-key',
      'api.balance',
      'api.key-record',
      'api.model',
    ]) {
      expect(checks[id]?.status, id).toBe('pass');
    }
    expect(checks['network.tls']).toMatchObject({ status: 'skip' }); // plain http to loopback
    for (const c of doc.checks as Check[]) {
      expect(typeof c.durationMs).toBe('number');
      expect(c).toHaveProperty('evidence');
      expect(c).toHaveProperty('blockedBy');
    }
    expectNoKeys(r);
  });

  it('--list-checks lists stable ids without sending anything', async () => {
    const r = await runCli(['doctor', '--list-checks'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^api\.balance\s/m);
    expect(r.stdout).toMatch(/api\.live .*opt-in/);
    expect(emu.requests).toHaveLength(0);
  });

  it('--only runs only the named checks', async () => {
    const r = await runCli(['doctor', '--only', 'api.balance', '--json'], { env: env() });
    expect(r.code).toBe(0);
    const checks = byId(r.json());
    expect(checks['api.balance']?.status).toBe('pass');
    expect(checks['api.proxy-key']?.status).toBe('skip');
    expect(emu.requests.map((q) => q.path)).toEqual(['/api/balance']);
  });

  it('--only runs the prerequisites of what it names: a model check fetches the model list', async () => {
    const r = await runCli(['doctor', '--only', 'api.model', '--model', 'gpt-4o', '--json'], { env: env() });
    expect(r.code).toBe(0);
    expect(byId(r.json())['api.model']?.status).toBe('pass');
    expect(emu.requests.map((q) => q.path)).toEqual(['/v1/models']);
  });

  it('--skip of a prerequisite skips what needs it instead of running it without', async () => {
    const r = await runCli(['doctor', '--skip', 'key.proxy', '--json'], { env: env({ MODELSWITCH_API_KEY: undefined }) });
    const checks = byId(r.json());
    expect(checks['api.proxy-key']).toMatchObject({ status: 'skip', blockedBy: 'key.proxy' });
    expect(emu.requests.some((q) => q.path === '/v1/models')).toBe(false);
  });

  it('an unknown check id in --skip is a usage error', async () => {
    const r = await runCli(['doctor', '--skip', 'api.nope'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/api\.nope[\s\S]*--list-checks/);
  });
});

interface Scenario {
  name: string;
  env?: Record<string, string | undefined>;
  args?: string[];
  setup?: (e: Emulator) => void;
  check: string;
  id: string | string[];
  code: number;
}

const onModels = (spec: object): FailureRule => ({ ...spec, match: { path: '/v1/models' } }) as FailureRule;

const SCENARIOS: Scenario[] = [
  { name: 'invalid key', env: { MODELSWITCH_API_KEY: KEYS.proxyUnknown }, check: 'api.proxy-key', id: 'auth.invalid-key', code: 4 },
  {
    name: 'deactivated key',
    env: { MODELSWITCH_API_KEY: KEYS.proxyInactive },
    check: 'api.proxy-key',
    id: 'auth.deactivated-key',
    code: 4,
  },
  { name: 'zero balance as 403', setup: (e) => (e.state.balance = 0), check: 'api.proxy-key', id: 'balance.insufficient', code: 5 },
  {
    name: 'zero balance as 402',
    setup: (e) => ((e.state.balance = 0), (e.state.balanceStatus = 402)),
    check: 'api.proxy-key',
    id: 'balance.insufficient',
    code: 5,
  },
  { name: 'low balance', setup: (e) => (e.state.balance = 0.4), check: 'api.balance', id: 'balance.below-minimum', code: 5 },
  { name: 'spend limit', setup: (e) => (e.state.spendLimitReached = { 1: true }), check: 'api.proxy-key', id: 'key.spend-limit', code: 5 },
  { name: 'missing model', args: ['--model', 'gpt-4o-mni'], check: 'api.model', id: 'model.not-found', code: 1 },
  { name: '429', setup: (e) => e.state.failures.push(onModels(PRESETS.rateLimited)), check: 'api.proxy-key', id: 'rate.limited', code: 6 },
  { name: '500', setup: (e) => e.state.failures.push(onModels(PRESETS.serverError)), check: 'api.proxy-key', id: 'server.error', code: 9 },
  { name: '502', setup: (e) => e.state.failures.push(onModels(PRESETS.badGateway)), check: 'api.proxy-key', id: 'provider.error', code: 9 },
  {
    name: '503',
    setup: (e) => e.state.failures.push(onModels(PRESETS.unavailable)),
    check: 'api.proxy-key',
    id: 'service.unavailable',
    code: 9,
  },
  {
    name: 'HTML 502',
    setup: (e) => e.state.failures.push(onModels(PRESETS.html502)),
    check: 'api.proxy-key',
    id: ['server.error', 'provider.error'],
    code: 9,
  },
  {
    name: 'timeout',
    args: ['--timeout', '1000'],
    setup: (e) => e.state.failures.push(onModels(PRESETS.hang)),
    check: 'api.proxy-key',
    id: 'network.timeout',
    code: 8,
  },
];

describe('doctor: each failure names its check, diagnosis and exit code; the rest pass or skip', () => {
  for (const s of SCENARIOS) {
    it(`${s.name} → ${s.check} fails with ${[s.id].flat().join('|')}, exit ${s.code}`, async () => {
      s.setup?.(emu);
      const r = await runCli(['doctor', '--json', ...(s.args ?? [])], { env: env(s.env) });
      const doc = r.json();
      expect(r.code).toBe(s.code);
      expect(doc.exitCode).toBe(s.code);
      const checks = byId(doc);
      expect(checks[s.check]?.status).toBe('fail');
      expect([s.id].flat()).toContain(checks[s.check]?.diagnosis);
      expect(doc.summary.rootCause).toBe(s.check);
      for (const c of doc.checks as Check[]) {
        expect(['pass', 'warn', 'skip', 'fail']).toContain(c.status);
        if (c.status === 'skip' && c.blockedBy) expect(checks[c.blockedBy]?.status).toMatch(/fail|warn/);
      }
      expect(doc.diagnoses.length).toBeGreaterThan(0);
      expect(doc.diagnoses[0].remedies.length).toBeGreaterThan(0);
      expectNoKeys(r);
    });
  }

  it('TLS failure → network.tls fails, the API checks are skipped with blockedBy, exit 7', async () => {
    const tlsEmu = await startEmulator({ tls: true });
    try {
      const r = await runCli(['doctor', '--json'], { env: env({ MODELSWITCH_BASE_URL: tlsEmu.url.replace('127.0.0.1', 'localhost') }) });
      expect(r.code).toBe(7);
      const checks = byId(r.json());
      expect(checks['network.tls']).toMatchObject({ status: 'fail', diagnosis: 'network.tls' });
      expect(checks['api.proxy-key']).toMatchObject({ status: 'skip', blockedBy: 'network.tls' });
      expect(checks['api.balance']).toMatchObject({ status: 'skip', blockedBy: 'network.tls' });
    } finally {
      await tlsEmu.close();
    }
  });

  it('TLS trusted via NODE_EXTRA_CA_CERTS → subject, issuer and days to expiry', async () => {
    const tlsEmu = await startEmulator({ tls: true });
    try {
      const dir = emptyDir();
      const { TLS_CERT } = await import('../emulator/server.js');
      writeFileSync(join(dir, 'ca.pem'), TLS_CERT);
      const r = await runCli(['doctor', '--json', '--only', 'network.dns,network.tcp,network.tls'], {
        env: env({ MODELSWITCH_BASE_URL: tlsEmu.url.replace('127.0.0.1', 'localhost'), NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') }),
      });
      const tls = byId(r.json())['network.tls']!;
      expect(tls.status).toBe('pass');
      expect(tls.detail).toMatch(/localhost issued by .*expires in \d+ days/);
    } finally {
      await tlsEmu.close();
    }
  });

  it('refused connection → network.tcp fails with network.refused, exit 7', async () => {
    const port = await closedPort();
    const r = await runCli(['doctor', '--json'], { env: env({ MODELSWITCH_BASE_URL: `http://127.0.0.1:${port}` }) });
    expect(r.code).toBe(7);
    const checks = byId(r.json());
    expect(checks['network.tcp']).toMatchObject({ status: 'fail', diagnosis: 'network.refused' });
    expect(checks['api.proxy-key']).toMatchObject({ status: 'skip', blockedBy: 'network.tcp' });
  });
});

describe('doctor: what a new user sees first', () => {
  it('no keys and an unreachable host: a full report quickly, exit 3, and how to set the keys', async () => {
    const port = await closedPort();
    const r = await runCli(['doctor'], { env: { MODELSWITCH_BASE_URL: `http://127.0.0.1:${port}`, APIDOCTOR_TIMEOUT: '2000' } });
    expect(r.code).toBe(3);
    expect(r.durationMs).toBeLessThan(2000 + 2000);
    expect(r.stdout).toMatch(/✗ Proxy key/);
    expect(r.stdout).toMatch(/- Proxy key accepted .*blocked/);
    expect(r.stderr).toMatch(/export MODELSWITCH_API_KEY/);
    expect(r.stdout).toMatch(/exit 3 \(config\)/);
  });

  it('no billing key is a warning, not a failure (exit 0), and --strict makes it fail', async () => {
    const r = await runCli(['doctor', '--json'], { env: env({ MODELSWITCH_BILLING_KEY: undefined }) });
    expect(r.code).toBe(0);
    const checks = byId(r.json());
    expect(checks['key.billing']?.status).toBe('warn');
    expect(checks['api.balance']).toMatchObject({ status: 'skip', blockedBy: 'key.billing' });
    const strict = await runCli(['doctor', '--json', '--strict'], { env: env({ MODELSWITCH_BILLING_KEY: undefined }) });
    expect(strict.code).toBe(3);
  });

  it('in the text report, the diagnosis of a warning is marked ! like its check line, and ✗ under --strict', async () => {
    const r = await runCli(['doctor'], { env: env({ MODELSWITCH_BILLING_KEY: undefined }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^! Billing key /m);
    expect(r.stderr).toMatch(/^! No billing key \(mk-…\) is configured \[config\.missing-billing-key\]/m);
    expect(r.stderr).not.toMatch(/^✗/m);
    const strict = await runCli(['doctor', '--strict'], { env: env({ MODELSWITCH_BILLING_KEY: undefined }) });
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(/^✗ No billing key \(mk-…\) is configured \[config\.missing-billing-key\]/m);
  });

  it('a key in a config file inside a git work tree is a warning', async () => {
    const dir = emptyDir();
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.apidoctorrc.json'), JSON.stringify({ apiKey: KEYS.proxy, baseUrl: emu.url }));
    const r = await runCli(['doctor', '--json'], { cwd: dir, env: { MODELSWITCH_BILLING_KEY: KEYS.billing } });
    const checks = byId(r.json());
    expect(checks['key.in-git']?.status).toBe('warn');
    expect(checks['config.sources']?.detail).toMatch(/proxy key from \.\/\.apidoctorrc\.json/);
    expectNoKeys(r);
  });

  it('plain http to a host that is not loopback fails transport security and sends nothing', async () => {
    const r = await runCli(['doctor', '--json'], { env: env({ MODELSWITCH_BASE_URL: 'http://apidoctor-test.invalid' }) });
    const checks = byId(r.json());
    expect(checks['config.transport']?.status).toBe('fail');
    expect(checks['api.proxy-key']).toMatchObject({ status: 'skip', blockedBy: 'config.transport' });
    expect(r.code).toBe(3);
  });
});

describe('doctor: keys, base URL and --live', () => {
  it('swapped keys fail the key checks with key.swapped, exit 3, before any request', async () => {
    const r = await runCli(['doctor', '--json'], { env: env({ MODELSWITCH_API_KEY: KEYS.billing, MODELSWITCH_BILLING_KEY: KEYS.proxy }) });
    expect(r.code).toBe(3);
    const checks = byId(r.json());
    expect(checks['key.proxy']).toMatchObject({ status: 'fail', diagnosis: 'key.swapped' });
    expect(checks['api.proxy-key']).toMatchObject({ status: 'skip', blockedBy: 'key.proxy' });
    expect(emu.requests.filter((q) => q.path.startsWith('/v1'))).toHaveLength(0);
    expectNoKeys(r);
  });

  it('a legacy host is a warning that names the documented base URL (checked offline)', async () => {
    const r = await runCli(['doctor', '--json', '--only', 'config.base-url'], {
      env: env({ MODELSWITCH_BASE_URL: 'https://api.modelswitch.ru/v1' }),
    });
    const check = byId(r.json())['config.base-url']!;
    expect(check.status).toBe('warn');
    expect(check.detail).toMatch(/legacy[\s\S]*https:\/\/modelswitch\.io/);
  });

  it('never sends a completion by default', async () => {
    const r = await runCli(['doctor', '--json'], { env: env() });
    expect(r.code).toBe(0);
    expect(emu.requests.some((q) => q.method === 'POST')).toBe(false);
    expect(byId(r.json())['api.live']).toBeUndefined();
  });

  it('--live says it costs money, then sends one completion with max_tokens 1 to the cheapest chat model', async () => {
    const r = await runCli(['doctor', '--live'], { env: env() });
    expect(r.code).toBe(0);
    expect(flat(r.stderr)).toMatch(/--live: .*costs money/);
    const posts = emu.requests.filter((q) => q.method === 'POST');
    expect(posts).toHaveLength(1);
    const body = JSON.parse(posts[0]!.body);
    expect(body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 1 });
    expect(r.stdout).toMatch(/✓ Live completion .*gpt-4o-mini answered/);
  });

  it('--live uses the configured model', async () => {
    const r = await runCli(['doctor', '--live', '--model', 'claude-sonnet-4', '--json'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(emu.requests.find((q) => q.method === 'POST')!.body).model).toBe('claude-sonnet-4');
  });
});

describe('doctor: concurrency', () => {
  it('with every request taking 300 ms, the whole doctor takes far less than the sum of its requests', async () => {
    emu.state.delayMs = 300;
    const r = await runCli(['doctor', '--json'], { env: env() });
    expect(r.code).toBe(0);
    const sum = emu.requests.reduce((a, q) => a + (q.durationMs ?? 0), 0);
    expect(emu.requests.length).toBeGreaterThanOrEqual(3);
    expect(sum).toBeGreaterThanOrEqual(900);
    expect(r.json().durationMs).toBeLessThan(sum * 0.6);
  });
});

describe('doctor: CI formats', () => {
  it('--format junit parses as XML with one testcase per check', async () => {
    emu.state.balance = 0;
    const r = await runCli(['doctor', '--format', 'junit'], { env: env() });
    expect(r.code).toBe(5);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(r.stdout);
    const cases = xml.testsuites.testsuite.testcase as Array<Record<string, unknown>>;
    const listed = await runCli(['doctor', '--list-checks', '--json'], { env: env() });
    expect(cases.length).toBe(listed.json().checks.filter((c: { byDefault: boolean }) => c.byDefault).length);
    expect(cases.some((c) => c.failure !== undefined)).toBe(true);
    expectNoKeys(r);
  });

  it('--format github prints annotations and appends a Markdown table to $GITHUB_STEP_SUMMARY', async () => {
    emu.state.balance = 0;
    const dir = emptyDir();
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const r = await runCli(['doctor', '--format', 'github'], { env: env({ GITHUB_STEP_SUMMARY: summary }) });
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/^::error title=apidoctor api\.balance.*::/m);
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# earlier step\n')).toBe(true);
    expect(md).toMatch(/\| ❌ \| Balance/);
    expectNoKeys(r);
    for (const k of Object.values(KEYS)) expect(md).not.toContain(k);
  });
});
