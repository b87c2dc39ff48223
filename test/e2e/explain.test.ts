import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, emptyDir } from '../helpers/run-cli.js';
import { LOCAL_SAMPLES_DIR, SHARED_SAMPLES_DIR } from '../helpers/samples.js';

const envelope = (message: string, type: string, code: string) => JSON.stringify({ error: { message, type, code } });

/** The seed's table: each status with a ModelSwitch envelope, its documented remedy, and the contract's exit code. */
const SEED: Array<{ status: number; body: string; code: number; id: string; remedy: RegExp }> = [
  {
    status: 400,
    body: envelope("Missing required parameter: 'messages'", 'invalid_request_error', 'invalid_request'),
    code: 1,
    id: 'request.invalid',
    remedy: /Missing required parameter: 'messages'/,
  },
  {
    status: 401,
    body: envelope('Invalid API key', 'authentication_error', 'invalid_api_key'),
    code: 4,
    id: 'auth.invalid-key',
    remedy: /Authorization: Bearer ms-[\s\S]*mk-[\s\S]*case-sensitive/,
  },
  {
    status: 402,
    body: envelope('Account balance is insufficient', 'invalid_request_error', 'insufficient_balance'),
    code: 5,
    id: 'balance.insufficient',
    remedy: /GET \/api\/balance[\s\S]*[Tt]op up/,
  },
  {
    status: 403,
    body: envelope('Access denied', 'invalid_request_error', 'forbidden'),
    code: 4,
    id: 'access.denied',
    remedy: /GET \/api\/balance[\s\S]*GET \/api\/keys[\s\S]*ms-[\s\S]*mk-/,
  },
  {
    status: 404,
    body: envelope("The model 'gpt-9' does not exist", 'invalid_request_error', 'model_not_found'),
    code: 1,
    id: 'model.not-found',
    remedy: /\/v1\/models/,
  },
  {
    status: 429,
    body: envelope('Rate limit exceeded', 'rate_limit_error', 'rate_limit_exceeded'),
    code: 6,
    id: 'rate.limited',
    remedy: /1 s[\s\S]*doubl/,
  },
  {
    status: 500,
    body: envelope('Internal server error', 'server_error', 'internal_error'),
    code: 9,
    id: 'server.error',
    remedy: /[Rr]etry[\s\S]*support/,
  },
  {
    status: 502,
    body: envelope('Upstream provider error', 'server_error', 'bad_gateway'),
    code: 9,
    id: 'provider.error',
    remedy: /different model[\s\S]*error\.message|error\.message[\s\S]*different model/,
  },
  {
    status: 503,
    body: envelope('Service temporarily unavailable', 'server_error', 'service_unavailable'),
    code: 9,
    id: 'service.unavailable',
    remedy: /minutes/,
  },
];

describe('explain: the seed table', () => {
  for (const row of SEED) {
    it(`--status ${row.status} with a ModelSwitch envelope → ${row.id}, exit ${row.code}, with the documented remedy`, async () => {
      const r = await runCli(['explain', '--status', String(row.status), '-'], { stdin: row.body });
      expect(r.code).toBe(row.code);
      expect(r.stdout.trim()).toBe(row.id);
      expect(r.stderr).toMatch(row.remedy);
      const j = await runCli(['explain', '--status', String(row.status), '--json'], { stdin: row.body });
      expect(j.code).toBe(row.code);
      expect(j.json()).toMatchObject({ command: 'explain', exitCode: row.code, diagnoses: [{ id: row.id }] });
    });
  }
});

describe('explain: inputs', () => {
  it('reads curl -i output with a 100 Continue block and CRLF line ends', async () => {
    const dir = emptyDir();
    const text = [
      'HTTP/1.1 100 Continue',
      '',
      'HTTP/1.1 429 Too Many Requests',
      'Retry-After: 86400',
      'Content-Type: application/json',
      '',
      envelope('Rate limit exceeded', 'rate_limit_error', 'rate_limit_exceeded'),
    ].join('\r\n');
    writeFileSync(join(dir, 'saved.txt'), text);
    const r = await runCli(['explain', 'saved.txt', '--json'], { cwd: dir });
    expect(r.code).toBe(6);
    const d = r.json().diagnoses[0];
    expect(d.id).toBe('rate.limited');
    expect(d.retryable).toBe(false); // a day-long Retry-After: do not keep retrying
    expect(d.notes.join(' ')).toMatch(/86400|24 h|1 day/);
  });

  it('takes -H response headers as they were received, any characters included (it sends nothing)', async () => {
    const r = await runCli(
      ['explain', '-', '--status', '429', '--json', '-H', 'Retry-After: 7', '-H', 'x-ratelimit-note: limite atteinte — réessayez'],
      { stdin: envelope('Rate limit exceeded', 'rate_limit_error', 'rate_limit_exceeded') },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(6);
    expect(r.json().diagnoses[0].id).toBe('rate.limited');
  });

  it('reads HTTP/2 status lines', async () => {
    const r = await runCli(['explain'], {
      stdin: `HTTP/2 401\ncontent-type: text/html\n\n<html><head><title>401 Authorization Required</title></head></html>`,
    });
    expect(r.code).toBe(4);
    expect(r.stdout.trim()).toBe('auth.invalid-key');
  });

  it('says a complete success response has nothing to diagnose (exit 0)', async () => {
    const r = await runCli(['explain', '--status', '200'], { stdin: '{"balance": 3}' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nothing to diagnose/);
  });

  it('an error envelope inside a 200 is read as the error it is, not as success', async () => {
    const r = await runCli(['explain', '--status', '200', '--json'], {
      stdin: '{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}',
    });
    expect(r.code).toBe(5);
    expect(r.json().diagnoses[0].id).toBe('balance.insufficient');
  });

  it('an HTML page on a 200 is response.not-json (exit 10)', async () => {
    const r = await runCli(['explain', '--status', '200', '--json'], {
      stdin: '<!DOCTYPE html><html><head><title>Gateway UI</title></head></html>',
    });
    expect(r.code).toBe(10);
    expect(r.json().diagnoses[0].id).toBe('response.not-json');
  });

  it('a missing file exits 2 naming the file', async () => {
    const r = await runCli(['explain', 'no-such-file.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-file\.json/);
  });

  it('a bad --status exits 2', async () => {
    const r = await runCli(['explain', '--status', 'abc'], { stdin: '{}' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--status/);
  });
});

/** The real error samples (test/helpers/samples.ts); the same reading through the built CLI. */
describe.each([SHARED_SAMPLES_DIR, LOCAL_SAMPLES_DIR])('explain: real error samples through the CLI (%s)', (SAMPLES) => {
  const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.json'));
  const EXIT: Record<string, number> = {
    failed: 1,
    config: 3,
    auth: 4,
    balance: 5,
    rate_limit: 6,
    network: 7,
    timeout: 8,
    server: 9,
    unexpected_response: 10,
  };
  for (const f of files) {
    it(f, async () => {
      const sample = JSON.parse(readFileSync(join(SAMPLES, f), 'utf8')) as { expectedReason: string; expectedIdFamily: string[] };
      const r = await runCli(['explain', join(SAMPLES, f), '--json']);
      const doc = r.json();
      expect(sample.expectedIdFamily).toContain(doc.diagnoses[0].id);
      expect(doc.exitReason).toBe(sample.expectedReason);
      expect(r.code).toBe(EXIT[sample.expectedReason]);
    });
  }
});
