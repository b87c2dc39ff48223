/**
 * Reporters are pure: a command's view and the output's environment in, the text a person sees out (src/render/reporter.ts).
 * These call them directly, with no Output and no stream; then the Output writing a Report, redacted and neutralised.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BALANCE_REPORTERS, type BalanceView } from '../../src/render/balance.js';
import { DOCTOR_REPORTERS, type DoctorView } from '../../src/render/report.js';
import { CALL_REPORTERS } from '../../src/render/call.js';
import { KEY_CHANGE_REPORTERS, KEY_LIST_REPORTERS } from '../../src/render/keys-report.js';
import { keyListFrom } from '../../src/api/key-list.js';
import { report, reportOf, show, type Report, type ReportEnv } from '../../src/render/reporter.js';
import { Output } from '../../src/render/output.js';
import { PLAIN } from '../../src/render/style.js';
import { diagnoseById } from '../../src/diagnosis/engine.js';
import { redactor } from '../../src/core/redact.js';
import type { CheckResult } from '../../src/checks/runner.js';
import type { ResolvedConfig } from '../../src/config/resolve.js';

const ENV: ReportEnv = { style: PLAIN, width: 80, quiet: false, verbose: false, stdoutIsTTY: false };

/** What a report puts on each stream, as a person would read it (a streamed piece drawn as the output layer would). */
async function streams(r: Report): Promise<{ stdout: string; stderr: string; summary: string }> {
  const texts: Array<{ to: string; text: string }> = [];
  for (const s of r) {
    if (s.to !== 'stdout-stream') texts.push(s);
    else {
      let text = '';
      await s.draw(
        (t) => (text += t),
        () => undefined,
      );
      texts.push({ to: 'stdout', text });
    }
  }
  const on = (to: string) =>
    texts
      .filter((s) => s.to === to)
      .map((s) => s.text)
      .join('');
  return { stdout: on('stdout'), stderr: on('stderr'), summary: on('step-summary') };
}

function balanceView(over: Partial<BalanceView> = {}): BalanceView {
  return {
    balance: 3.2,
    currency: 'USD',
    min: 5,
    decision: 'below',
    fetchedAt: '2026-01-02T03:04:05.000Z',
    runway: { available: false, reason: 'not asked with --format value' },
    notes: [],
    failedOpen: false,
    exitReason: 'balance',
    diagnosis: diagnoseById('balance.below-minimum', { balance: 3.2, method: 'GET', endpoint: '/api/balance' }, [
      'The balance is 3.20 USD; the minimum is 5.00 USD (--min).',
    ]),
    ...over,
  };
}

describe('balance reporters, one view', () => {
  const v = balanceView();

  it('text: the amount and the verdict on stdout, the diagnosis on stderr', async () => {
    const { stdout, stderr } = await streams(BALANCE_REPORTERS.text!(v, ENV));
    expect(stdout).toMatch(/^Balance\s+3\.20 USD\n/);
    expect(stdout).toMatch(/Minimum\s+5\.00 USD\s+✗ below the minimum/);
    expect(stderr).toContain('[balance.below-minimum]');
    expect(stderr).toContain('runway left out: not asked with --format value.');
  });

  it('text with -q: the bare number and the verdict line only; nothing at all when the balance is at or above --min', async () => {
    const quiet = { ...ENV, quiet: true };
    const { stdout, stderr } = await streams(BALANCE_REPORTERS.text!(v, quiet));
    expect(stdout).toBe('3.2\n');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('[balance.below-minimum]');
    expect(BALANCE_REPORTERS.text!(balanceView({ balance: 9, decision: 'ok', exitReason: 'ok', diagnosis: undefined }), quiet)).toEqual([]);
  });

  it('value: the number alone on stdout, for $(…)', async () => {
    expect((await streams(BALANCE_REPORTERS.value!(v, ENV))).stdout).toBe('3.2\n');
  });

  it('openmetrics: gauges ending with # EOF, the below-minimum gauge at 1', async () => {
    const { stdout } = await streams(BALANCE_REPORTERS.openmetrics!(v, ENV));
    expect(stdout).toContain('# TYPE modelswitch_balance_usd gauge\n');
    expect(stdout).toContain('\nmodelswitch_balance_usd 3.2\n');
    expect(stdout).toContain('\nmodelswitch_balance_below_minimum 1\n');
    expect(stdout).toContain('\nmodelswitch_balance_check_success 1\n');
    expect(stdout.endsWith('# EOF\n')).toBe(true);
  });

  it('github: an error annotation with the remedies, then the summary line naming the exit', async () => {
    const { stdout } = await streams(BALANCE_REPORTERS.github!(v, ENV));
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^::error title=apidoctor balance::.*balance\.below-minimum/);
    expect(lines.at(-1)).toBe('apidoctor balance: 3.20 USD (minimum 5.00 USD) — exit 5 (balance)');
  });

  it('a --format with no reporter of its own falls back to text; a result names its reporter by format', async () => {
    expect(reportOf(show(BALANCE_REPORTERS, 'value', v), ENV)).toEqual(BALANCE_REPORTERS.value!(v, ENV));
    expect(reportOf(show({ text: BALANCE_REPORTERS.text! }, 'openmetrics', v), ENV)).toEqual(BALANCE_REPORTERS.text!(v, ENV));
  });
});

function doctorView(): DoctorView {
  const refused = diagnoseById('auth.invalid-key', { method: 'GET', endpoint: '/v1/models', status: 401, requestId: 'req_42' });
  const results: CheckResult[] = [
    { id: 'config.base-url', title: 'Base URL', status: 'pass', detail: 'https://modelswitch.io', durationMs: 0 },
    {
      id: 'api.proxy-key',
      title: 'Proxy key accepted',
      status: 'fail',
      detail: 'GET /v1/models: 401 <b>|x',
      durationMs: 120,
      diagnosis: refused,
    },
    { id: 'api.live', title: 'Live request', status: 'skip', detail: 'not asked (--live)', durationMs: 0 },
  ];
  const setting = <T>(value: T | undefined, source: string) => ({ value, origin: 'env' as const, source });
  const config: ResolvedConfig = {
    apiKey: setting('ms-reporterstestkey0123456789', 'MODELSWITCH_API_KEY'),
    billingKey: setting<string>(undefined, 'not set'),
    baseUrl: setting('https://modelswitch.io', 'default'),
    timeout: setting(15000, 'default'),
    model: setting<string>(undefined, 'not set'),
    notes: [],
    warnings: [],
  };
  return {
    results,
    diagnoses: [refused],
    summary: {
      pass: 1,
      warn: 0,
      fail: 1,
      skip: 1,
      exitCode: 4,
      exitReason: 'auth',
      rootCause: 'api.proxy-key',
      rootCauseDiagnosis: refused.id,
    },
    strict: false,
    totalMs: 1500,
    config,
    machine: { version: '9.9.9', node: 'v22.0.0', os: 'linux test x64' },
  };
}

describe('doctor reporters', () => {
  const v = doctorView();

  it('junit: one testcase a check, the failure with its diagnosis, the skip as skipped, XML escaped', async () => {
    const { stdout, stderr } = await streams(DOCTOR_REPORTERS.junit!(v, ENV));
    expect(stderr).toBe('');
    expect(stdout).toContain('<testsuites name="apidoctor" tests="3" failures="1" skipped="1" time="1.500">');
    expect(stdout).toMatch(
      /<testcase classname="apidoctor.doctor" name="api.proxy-key: Proxy key accepted" time="0.120">\s*<failure message="GET \/v1\/models: 401 &lt;b&gt;\|x" type="auth.invalid-key">/,
    );
    expect(stdout).toMatch(/name="api.live: Live request"[^>]*>\s*<skipped message="not asked \(--live\)"\/>/);
    expect(stdout).not.toContain('<b>');
  });

  it('markdown: versions, settings with their sources and the key masked, each check, the request id', async () => {
    redactor.add('ms-reporterstestkey0123456789');
    const { stdout } = await streams(DOCTOR_REPORTERS.markdown!(v, ENV));
    expect(stdout).toContain('apidoctor 9.9.9 · Node v22.0.0 · linux test x64');
    expect(stdout).toMatch(/\| Proxy key \| `[^`]+` \| MODELSWITCH_API_KEY \|/);
    expect(stdout).not.toContain('ms-reporterstestkey0123456789');
    expect(stdout).toContain('| ❌ | Proxy key accepted `api.proxy-key` | GET /v1/models: 401 &lt;b&gt;\\|x (`auth.invalid-key`) |');
    expect(stdout).toContain('Request ids: `req_42`');
  });

  it('github: annotations on stdout and the Markdown table as the step summary', async () => {
    const { stdout, summary } = await streams(DOCTOR_REPORTERS.github!(v, ENV));
    expect(stdout).toMatch(/^::error title=apidoctor api.proxy-key%3A Proxy key accepted::/);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('apidoctor doctor: 1 passed, 0 warnings, 1 failed, 1 skipped — exit 4 (auth)');
    expect(summary).toMatch(/^### apidoctor doctor\n/);
    expect(summary).toContain('**Exit 4 (auth)** — 1 passed, 0 warnings, 1 failed, 1 skipped');
  });

  it('text: a line a check on stdout, the diagnosis on stderr between them, the summary last on stdout', async () => {
    const r = DOCTOR_REPORTERS.text!(v, ENV);
    expect(r.map((s) => s.to)).toEqual(['stdout', 'stderr', 'stdout']);
    const { stdout, stderr } = await streams(r);
    expect(stdout).toMatch(/✗ Proxy key accepted\s+GET \/v1\/models: 401 <b>\|x 120 ms/);
    // The summary is the last paragraph, wrapped at the width.
    expect(stdout.trimEnd().split('\n\n').at(-1)!.replace(/\s+/g, ' ')).toBe(
      '1 passed, 0 warnings, 1 failed, 1 skipped — ✗ exit 4 (auth) — root cause: auth.invalid-key (found by api.proxy-key)',
    );
    expect(stderr).toContain('[auth.invalid-key]');
  });
});

describe('call and keys reporters', () => {
  const answer = {
    kind: 'answer' as const,
    streamed: false,
    include: false,
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"data":[{"id":"gpt-4o"}]}',
    data: { data: [{ id: 'gpt-4o' }] },
    attempts: [],
  };

  it('call: the JSON body as it came to a pipe, indented on a terminal', async () => {
    expect((await streams(CALL_REPORTERS.text!(answer, ENV))).stdout).toBe('{"data":[{"id":"gpt-4o"}]}\n');
    expect((await streams(CALL_REPORTERS.text!(answer, { ...ENV, stdoutIsTTY: true }))).stdout).toBe(
      JSON.stringify(answer.data, null, 2) + '\n',
    );
  });

  it('keys create: the new key alone on stdout; the "shown once" warning on stderr even with -q', async () => {
    const view = {
      kind: 'created' as const,
      created: { id: 7, name: 'CI', expiresAt: null, key: 'ms-newkey0123456789abcdef' },
      once: 'This is the only time the full key is shown.',
    };
    const { stdout, stderr } = await streams(KEY_CHANGE_REPORTERS.text!(view, { ...ENV, quiet: true }));
    expect(stdout).toBe('ms-newkey0123456789abcdef\n');
    expect(stderr).toContain('This is the only time the full key is shown.');
    expect(stderr).not.toContain('Created proxy key');
  });

  it('keys list: the table with the configured key marked, and the github summary line', async () => {
    const list = keyListFrom({
      keys: [
        { id: 1, name: 'Production', prefix: 'ms-abc1', active: true, created_at: '2026-01-01T00:00:00Z' },
        { id: 2, name: 'Old', prefix: 'ms-def2', active: false, created_at: '2026-01-01T00:00:00Z' },
      ],
    });
    list.configured = 0;
    const view = {
      list,
      nowMs: Date.parse('2026-02-01T00:00:00Z'),
      source: 'from MODELSWITCH_API_KEY',
      warnings: [],
      active: 1,
      expiring: [],
    };
    const { stdout } = await streams(KEY_LIST_REPORTERS.text!(view, ENV));
    expect(stdout).toMatch(/^\s+ID\s+NAME\s+PREFIX\s+STATUS/);
    expect(stdout).toMatch(/\n\*\s+1\s+Production\s+ms-abc1\s+active/);
    expect(stdout).toMatch(/\n\s+2\s+Old\s+ms-def2\s+INACTIVE/);
    expect(stdout).toContain('* = the proxy key apidoctor is configured with (from MODELSWITCH_API_KEY)');
    expect((await streams(KEY_LIST_REPORTERS.github!(view, ENV))).stdout).toBe('apidoctor keys: 2 proxy keys, 1 active — exit 0 (ok)\n');
  });
});

describe('the Output writes a Report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apidoctor-reporters-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('in order, redacted and neutralised, the step summary appended to its file', async () => {
    const written: string[] = [];
    const sink = (name: string) => ({ write: (t: string) => void written.push(`${name}:${t}`) });
    const out = new Output(sink('out'), sink('err'));
    redactor.add('ms-secretfromserver0123456789');
    const r = report(ENV, (w) => {
      w.out('first\n');
      w.err('server said \u001b]52;c;ZXZpbA==\u0007 ms-secretfromserver0123456789\n');
      w.out('last\n');
      w.stepSummary('### summary\n');
    });
    const file = join(dir, 'summary.md');
    await out.write(r, file);
    expect(written.map((w) => w.split(':')[0])).toEqual(['out', 'err', 'out']);
    expect(written[1]).not.toContain('\u001b');
    expect(written[1]).not.toContain('ms-secretfromserver0123456789');
    expect(readFileSync(file, 'utf8')).toBe('### summary\n');
  });
});
