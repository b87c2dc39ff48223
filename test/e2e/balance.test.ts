import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, KEYS, PRESETS, type Emulator, type FailureRule } from '../emulator/server.js';
import { closedPort, emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli, type CliRun, flat } from '../helpers/run-cli.js';

const DAY = 86_400_000;

let emu: Emulator;
const env = (extra: Record<string, string | undefined> = {}) => emulatorEnv(emu, extra);

/** Runs the built CLI and checks, on every run, that no full key reached stdout or stderr. */
async function cli(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<CliRun> {
  const r = await runCli(['balance', ...args], { env: env(extraEnv) });
  expectNoKeys(r);
  return r;
}

/** What the emulator's usage history says was spent since a moment. */
function spentSince(sinceMs: number): number {
  return emu.state.usage.filter((u) => Date.parse(u.createdAt) >= sinceMs).reduce((a, u) => a + u.chargedAmount, 0);
}

/** The 401 jwtOnlyRoutes gives, injected on one route only (so /api/balance still answers). */
const refuse = (path: string): FailureRule => ({
  status: 401,
  headers: { 'content-type': 'application/json' },
  body: { error: { message: 'Invalid or expired token', type: 'authentication_error', code: 'invalid_token' } },
  match: { path },
});

const count = (text: string, needle: string) => text.split(needle).length - 1;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
});

describe('balance: formats', () => {
  it('text: the balance in USD with the currency and when it was fetched, and the runway', async () => {
    const before = Date.now();
    const r = await cli([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Balance\s+42\.50 USD$/m);
    const fetched = /^Fetched\s+(\S+)$/m.exec(r.stdout)?.[1];
    expect(fetched).toBeDefined();
    expect(Date.parse(fetched!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(fetched!)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(r.stdout).toMatch(/^Spend\s+.* USD in the last 24 h · .* USD in the last 7 days/m);
    expect(r.stdout).toMatch(/^Runway\s+at this rate .* empty in about \d+ days$/m);
    // Only the base URL (not the default) and where it came from, said once (cli-contract: Configuration).
    expect(r.stderr).toBe(`base URL ${emu.url} from MODELSWITCH_BASE_URL\n`);
    expect(emu.requests.every((q) => q.headers.authorization === `Bearer ${KEYS.billing}`)).toBe(true);
  });

  it('value: the bare number and nothing else, usable in $(…)', async () => {
    const r = await cli(['--format', 'value']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('42.5\n');
    expect(r.stderr).toBe('');
    // No spend is fetched for the bare number.
    expect(emu.requests.map((q) => q.path)).toEqual(['/api/balance']);
  });

  it('-q: only the number', async () => {
    const r = await cli(['-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('42.5\n');
    expect(r.stderr).toBe('');
  });

  it('json (--json and --format json): one document with balance, currency, min, decision, fetchedAt and runway', async () => {
    for (const flags of [['--json'], ['--format', 'json']]) {
      emu.reset();
      const r = await cli(flags);
      expect(r.code).toBe(0);
      const doc = r.json();
      expect(doc).toMatchObject({
        schemaVersion: 1,
        command: 'balance',
        ok: true,
        exitCode: 0,
        exitReason: 'ok',
        balance: 42.5,
        currency: 'USD',
        min: null,
        decision: 'ok',
        diagnoses: [],
      });
      expect(Number.isNaN(Date.parse(doc.fetchedAt))).toBe(false);
      expect(doc.runway).toMatchObject({ available: true, source: '/api/usage', complete: true });
      expect(doc.runway.daysLeft).toBeGreaterThan(100);
      expect(r.stderr).toBe('');
    }
  });

  it('openmetrics: gauges a Prometheus textfile collector can read, ending with # EOF', async () => {
    const r = await cli(['--format', 'openmetrics', '--min', '5']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('# EOF');
    expect(lines).toContain('# TYPE modelswitch_balance_usd gauge');
    expect(lines).toContain('modelswitch_balance_usd 42.5');
    expect(lines).toContain('modelswitch_balance_minimum_usd 5');
    expect(lines).toContain('modelswitch_balance_below_minimum 0');
    expect(lines).toContain('modelswitch_balance_check_success 1');
    expect(lines.some((l) => /^modelswitch_spend_usd\{window="7d"\} [\d.]+$/.test(l))).toBe(true);
    // Every sample is "name{labels} number", and its TYPE line comes first.
    const typed = new Set<string>();
    for (const l of lines) {
      const t = /^# TYPE (\S+) gauge$/.exec(l);
      if (t) typed.add(t[1]!);
      if (l.startsWith('#')) continue;
      const m = /^([a-z_]+)(\{[a-z]+="[^"]*"\})? (-?\d+(\.\d+)?(e[+-]?\d+)?)$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(typed.has(m![1]!), l).toBe(true);
    }
  });

  it('rejects an unknown format with exit 2 and sends nothing', async () => {
    const r = await cli(['--format', 'yaml']);
    expect(r.code).toBe(2);
    expect(emu.requests).toHaveLength(0);
  });
});

describe('balance: --min guard', () => {
  it('exits 0 above the minimum, 5 below it, 0 when equal', async () => {
    const above = await cli(['--min', '40', '--json']);
    expect(above.code).toBe(0);
    expect(above.json()).toMatchObject({ decision: 'ok', min: 40, exitReason: 'ok' });

    const below = await cli(['--min', '50', '--json']);
    expect(below.code).toBe(5);
    const doc = below.json();
    expect(doc).toMatchObject({ decision: 'below', min: 50, balance: 42.5, exitReason: 'balance', ok: false });
    expect(doc.diagnoses[0].id).toBe('balance.below-minimum');

    const equal = await cli(['--min', '42.5']);
    expect(equal.code).toBe(0);
  });

  it('below the minimum in text: the balance on stdout, the diagnosis on stderr; -q prints the number and a one-line verdict', async () => {
    const r = await cli(['--min', '50']);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/Minimum\s+50\.00 USD\s+✗ below the minimum/);
    expect(r.stderr).toContain('[balance.below-minimum]');
    const q = await cli(['--min', '50', '-q']);
    expect(q.code).toBe(5);
    expect(q.stdout).toBe('42.5\n');
    expect(q.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects a bad --min with exit 2', async () => {
    const r = await cli(['--min', 'five']);
    expect(r.code).toBe(2);
    expect(emu.requests).toHaveLength(0);
  });

  it('a balance of 1e400 (Infinity once parsed) passes no --min: exit 10, not "Infinity USD"', async () => {
    emu.state.failures.push({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"balance":1e400}',
      match: { path: '/api/balance' },
    });
    const r = await cli(['--min', '1', '--format', 'value']);
    expect(r.code).toBe(10);
    expect(r.stdout).not.toContain('Infinity');
    expect(flat(r.stderr)).toContain('response.bad-shape');
  });
});

describe('balance: --fail-open', () => {
  it('a refused connection: exit 0 and decision "unknown" with --fail-open, exit 7 without', async () => {
    const port = await closedPort();
    const base = `http://127.0.0.1:${port}`;
    const open = await cli(['--fail-open', '--json'], { MODELSWITCH_BASE_URL: base });
    expect(open.code).toBe(0);
    const doc = open.json();
    expect(doc).toMatchObject({ decision: 'unknown', balance: null, exitCode: 0, failedOpen: true });
    expect(doc.diagnoses[0].id).toBe('network.refused');

    const openText = await cli(['--fail-open', '--min', '5'], { MODELSWITCH_BASE_URL: base });
    expect(openText.code).toBe(0);
    expect(openText.stderr).toContain('--fail-open');

    const closed = await cli(['--json'], { MODELSWITCH_BASE_URL: base });
    expect(closed.code).toBe(7);
    expect(closed.json()).toMatchObject({ decision: 'unknown', exitReason: 'network' });
  });

  it('a 5xx (after retries) fails open too; without it, exit 9', async () => {
    emu.state.failures.push({ ...PRESETS.serverError, match: { path: '/api/balance' } });
    // (--json with --format openmetrics is now a usage error: two formats that disagree, see test/e2e/pipes.test.ts.)
    const open = await cli(['--fail-open', '--json']);
    expect(open.code).toBe(0);
    expect(open.json()).toMatchObject({ decision: 'unknown' });
    emu.reset();
    emu.state.failures.push({ ...PRESETS.serverError, match: { path: '/api/balance' } });
    const om = await cli(['--format', 'openmetrics']);
    expect(om.code).toBe(9);
    expect(om.stdout).toContain('modelswitch_balance_check_success 0');
    expect(om.stdout).not.toContain('modelswitch_balance_usd ');
    expect(om.stdout.trimEnd().endsWith('# EOF')).toBe(true);
  }, 30_000);

  it('never fails open on auth or config problems', async () => {
    const auth = await cli(['--fail-open', '--json'], { MODELSWITCH_BILLING_KEY: KEYS.billingUnknown });
    expect(auth.code).toBe(4);
    expect(auth.json()).toMatchObject({ decision: 'unknown', exitReason: 'auth' });
    const missing = await cli(['--fail-open', '--json'], { MODELSWITCH_BILLING_KEY: undefined });
    expect(missing.code).toBe(3);
    expect(missing.json().diagnoses[0].id).toBe('config.missing-billing-key');
  });
});

describe('balance: the billing key is checked before sending', () => {
  it('missing → 3 config.missing-billing-key; an ms- key → key.wrong-kind; swapped → key.swapped; nothing sent', async () => {
    const missing = await cli(['--json'], { MODELSWITCH_BILLING_KEY: undefined });
    expect(missing.code).toBe(3);
    expect(missing.json().diagnoses[0].id).toBe('config.missing-billing-key');

    const wrong = await cli(['--json'], { MODELSWITCH_BILLING_KEY: KEYS.proxyInactive });
    expect(wrong.code).toBe(3);
    expect(wrong.json().diagnoses[0].id).toBe('key.wrong-kind');

    const swapped = await cli(['--json'], { MODELSWITCH_BILLING_KEY: KEYS.proxy, MODELSWITCH_API_KEY: KEYS.billing });
    expect(swapped.code).toBe(3);
    expect(swapped.json().diagnoses[0].id).toBe('key.swapped');

    const badUrl = await cli(['--json'], { MODELSWITCH_BASE_URL: 'ftp://example.invalid' });
    expect(badUrl.code).toBe(3);
    expect(badUrl.json().diagnoses[0].id).toBe('config.bad-base-url');
    expect(emu.requests).toHaveLength(0);
  });
});

describe('balance: runway', () => {
  it('shows the spend of the last 24 h and 7 days from /api/usage, paged with limit 50, fetched alongside the balance', async () => {
    emu.state.delayMs = 200;
    const now = Date.now();
    const r = await cli(['--json']);
    expect(r.code).toBe(0);
    const rw = r.json().runway;
    expect(rw.spend24h).toBeCloseTo(spentSince(now - DAY), 4);
    expect(rw.spend7d).toBeCloseTo(spentSince(now - 7 * DAY), 4);
    expect(rw.daysLeft).toBeCloseTo(42.5 / rw.dailyRate, 0);
    expect(rw.pages).toBe(2);
    const usage = emu.requests.filter((q) => q.path.startsWith('/api/usage'));
    // Every page up to the limit is asked at once (one round trip however busy the account); the records
    // stop on the second page, and the figures come from those two.
    expect(usage.map((q) => q.path)).toEqual([0, 50, 100, 150, 200, 250].map((o) => `/api/usage?limit=50&offset=${o}`));
    const firstAnswer = Math.min(...usage.map((q) => q.finishedAt!));
    for (const q of usage) expect(q.startedAt).toBeLessThan(firstAnswer);
    // Concurrent: the balance request and the first usage page overlapped.
    const bal = emu.requests.find((q) => q.path === '/api/balance')!;
    expect(usage[0]!.startedAt).toBeLessThan(bal.finishedAt!);
    expect(bal.startedAt).toBeLessThan(usage[0]!.finishedAt!);
  });

  it('stops paging after a few pages when the history is long (bounded), and says the figures are partial', async () => {
    const now = Date.now();
    emu.state.usage = Array.from({ length: 2000 }, (_, i) => ({
      id: 2000 - i,
      model: 'gpt-4o',
      promptTokens: 1,
      completionTokens: 1,
      chargedAmount: 0.001,
      createdAt: new Date(now - 60_000 - i * 60_000).toISOString(),
    }));
    const r = await cli(['--json']);
    expect(r.code).toBe(0);
    expect(r.json().runway).toMatchObject({ available: true, complete: false });
    expect(emu.requests.filter((q) => q.path.startsWith('/api/usage')).length).toBeLessThanOrEqual(6);
  });

  it('falls back to /api/transactions when /api/usage refuses the key', async () => {
    emu.state.failures.push(refuse('/api/usage*'));
    const r = await cli(['--json']);
    expect(r.code).toBe(0);
    expect(r.json().runway).toMatchObject({ available: true, source: '/api/transactions' });
    expect(r.json().runway.spend7d).toBeGreaterThan(0);
  });

  it('left out, said once, exit unaffected, when /api/usage and /api/transactions refuse the billing key', async () => {
    emu.state.failures.push(refuse('/api/usage*'), refuse('/api/transactions*'));
    const r = await cli([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Balance\s+42\.50 USD$/m);
    expect(r.stdout).not.toMatch(/^Runway/m);
    expect(count(r.stderr, 'runway left out')).toBe(1);
    expect(flat(r.stderr)).toMatch(
      /runway left out: GET \/api\/usage and GET \/api\/transactions refused the billing key \(HTTP 401\).*dashboard token/,
    );
    // /api/usage's pages were asked together, once each; no paging of /api/transactions after its refusal.
    expect(emu.requests.map((q) => q.path.split('?')[0]).sort()).toEqual([
      '/api/balance',
      '/api/transactions',
      ...Array(6).fill('/api/usage'),
    ]);
    expect(new Set(emu.requests.filter((q) => q.path.startsWith('/api/usage')).map((q) => q.path)).size).toBe(6);

    emu.reset();
    emu.state.failures.push(refuse('/api/usage*'), refuse('/api/transactions*'));
    const j = await cli(['--json', '--min', '1']);
    expect(j.code).toBe(0);
    expect(j.json()).toMatchObject({ decision: 'ok', runway: { available: false }, diagnoses: [] });
    expect(j.json().runway.reason).toContain('dashboard token');
  });

  it('with jwtOnlyRoutes the balance itself is refused: exit 4 access.dashboard-token, explained once; a dashboard token works', async () => {
    emu.state.jwtOnlyRoutes = true;
    const r = await cli([]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('[access.dashboard-token]');
    expect(r.stderr).not.toContain('runway left out');
    expect(r.stdout).toBe('');
    const j = await cli(['--json', '--fail-open']);
    expect(j.code).toBe(4);
    expect(j.json()).toMatchObject({ decision: 'unknown', runway: { available: false } });

    emu.state.jwtOnlyRoutes = true;
    const jwt = await cli(['--json'], { MODELSWITCH_BILLING_KEY: KEYS.jwt });
    expect(jwt.code).toBe(0);
    expect(jwt.json()).toMatchObject({ balance: 42.5, runway: { available: true } });
  });
});

describe('balance: a refused billing key is settled by GET /api/keys (issue 14)', () => {
  it('refused by /api/balance and by /api/keys: auth.invalid-key for the billing key, not "dashboard token"', async () => {
    const wrong = 'mk-test0wrong0billing0e5f6a7b8c9d0e1';
    const r = await cli([], { MODELSWITCH_BILLING_KEY: wrong });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('[auth.invalid-key]');
    expect(r.stderr).not.toContain('[access.dashboard-token]');
    expect(r.stderr).toContain('GET /api/keys refused the same billing key');
    expect(r.stderr).toContain('Dashboard → Billing Keys');
    expect(r.stderr).toContain('MODELSWITCH_BILLING_KEY');
    expect(r.stderr).not.toContain('MODELSWITCH_API_KEY');
    expect(emu.requests.some((q) => q.path === '/api/keys')).toBe(true);
    const j = await cli(['--json'], { MODELSWITCH_BILLING_KEY: wrong });
    expect(j.json().diagnoses.map((d: { id: string }) => d.id)).toEqual(['auth.invalid-key']);
  });
});

describe('balance: the hold note', () => {
  it('a positive balance under 2× --min gets the note about holds; a comfortable one does not', async () => {
    emu.state.balance = 1.5;
    const r = await cli(['--min', '1']);
    expect(r.code).toBe(0);
    expect(flat(r.stderr)).toMatch(/holds the estimated cost of each request.*before the balance reaches 0/s);
    emu.state.balance = 42.5;
    const ok = await cli(['--min', '1']);
    expect(ok.stderr).not.toContain('holds the estimated cost');
  });

  it('a balance with under 3 days of runway at recent spend gets the note too', async () => {
    emu.state.balance = 0.05; // about 1.4 days at the emulator's ~0.035 USD/day
    const r = await cli(['--json']);
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc.runway.daysLeft).toBeLessThan(3);
    expect(doc.notes.join(' ')).toMatch(/under 3 days .* holds the estimated cost/);
  });

  it('an empty balance without --min is decision ok (contract) but says requests are refused', async () => {
    emu.state.balance = 0;
    const r = await cli(['--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ balance: 0, decision: 'ok' });
    expect(r.json().notes.join(' ')).toContain('refuses every inference request');
  });
});

describe('balance: advice that fits the command', () => {
  it('a timeout of GET /api/balance advises a longer timeout, never --stream (which only a generation request has); a chat timeout still does', async () => {
    emu.state.delayMs = 1500;
    const r = await cli(['--json', '--timeout', '300']);
    expect(r.code).toBe(8);
    const d = r.json().diagnoses[0];
    expect(d.id).toBe('network.timeout');
    expect(d.remedies.join('\n')).toMatch(/--timeout/);
    expect(d.remedies.join('\n')).not.toMatch(/--stream|streaming/);

    emu.reset();
    emu.state.delayMs = 1500;
    const chat = await runCli(
      [
        'call',
        'POST',
        '/v1/chat/completions',
        '--data',
        '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}',
        '--json',
        '--timeout',
        '300',
      ],
      { env: env() },
    );
    expect(chat.json().diagnoses[0].id).toBe('network.timeout');
    expect(chat.json().diagnoses[0].remedies.join('\n')).toMatch(/--stream/);
  });
});
