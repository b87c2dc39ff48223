/**
 * `explain` on logs, through the built CLI: JSON lines from pino, winston, bunyan and structlog, plain
 * logs with bodies, grouped by diagnosis, the most frequent first; empty input, no error, unreadable
 * errors, non-text files, huge lines; the JSON document, --format github, secrets in examples.
 * These inputs are read by today's readers (bodies and fields); SDK exception lines are in
 * logs-sdk-lines.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli, emptyDir, flat } from '../helpers/run-cli.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/logs');
const body = (message: string, type: string, code: string) => JSON.stringify({ error: { message, type, code } });
const RATE = body('Rate limit exceeded', 'rate_limit_error', 'rate_limit_exceeded');
const AUTH = body('Invalid API key', 'authentication_error', 'invalid_api_key');
const QUOTA = body('Account balance is insufficient', 'invalid_request_error', 'insufficient_balance');

describe('explain on JSON-line logs', () => {
  it('pino (openai-node errors through the err serializer): rate.limited ×3 then auth ×1, exit 6, with times and examples', async () => {
    const r = await runCli(['explain', join(FIXTURES, 'pino.jsonl'), '--json']);
    expect(r.code).toBe(6);
    const doc = r.json();
    expect(doc).toMatchObject({
      schemaVersion: 1,
      command: 'explain',
      ok: false,
      exitCode: 6,
      exitReason: 'rate_limit',
      errors: 4,
      input: { lines: 9 },
    });
    expect(typeof doc.durationMs).toBe('number');
    expect(doc.groups).toEqual([
      {
        id: 'rate.limited',
        category: 'rate_limit',
        count: 3,
        firstSeen: '2024-05-01T12:00:02.310Z',
        lastSeen: '2024-05-01T12:00:07.001Z',
        firstLine: 3,
        lastLine: 8,
        example: expect.stringMatching(/^chat completion failed — Error: 429 Rate limit reached for gpt-4o/),
      },
      {
        id: 'auth.invalid-key',
        category: 'auth',
        count: 1,
        firstSeen: '2024-05-01T12:00:06.777Z',
        lastSeen: '2024-05-01T12:00:06.777Z',
        firstLine: 7,
        lastLine: 7,
        example: expect.stringMatching(/401 Incorrect API key provided/),
      },
    ]);
    expect(doc.diagnoses.map((d: { id: string }) => d.id)).toEqual(['rate.limited', 'auth.invalid-key']);
    // the Retry-After of the serialized error's headers was read
    expect(doc.diagnoses[0].notes.join(' ')).toMatch(/2 s/);
  });

  it('pino, as text: a short table on stdout, the first group in full on stderr', async () => {
    const r = await runCli(['explain', join(FIXTURES, 'pino.jsonl')]);
    expect(r.code).toBe(6);
    expect(r.stdout).toMatch(/^✗ 4 errors in 9 lines, 2 causes\n/);
    expect(r.stdout).toMatch(/\n\s+3 {2}rate\.limited\s+2024-05-01 12:00:02 UTC → 12:00:07 UTC\n\s+e\.g\. chat completion failed/);
    expect(r.stdout).toMatch(/\n\s+1 {2}auth\.invalid-key\s+2024-05-01 12:00:06 UTC\n/);
    expect(r.stderr).toMatch(/Too many requests \(429\): rate limited \[rate\.limited\]/);
    expect(r.stderr).not.toMatch(/auth\.invalid-key\]/);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('winston (an axios error with its response): balance.insufficient first, exit 5', async () => {
    const r = await runCli(['explain', join(FIXTURES, 'winston.jsonl'), '--json']);
    expect(r.code).toBe(5);
    const doc = r.json();
    expect(doc.errors).toBe(3);
    expect(doc.groups[0]).toMatchObject({
      id: 'balance.insufficient',
      count: 2,
      firstSeen: '2024-05-01T09:15:03.551Z',
      lastSeen: '2024-05-01T09:16:10.020Z',
    });
    expect(doc.groups[0].example).toBe('AxiosError: Request failed with status code 402');
  });

  it('bunyan (statusCode and body in err): service.unavailable ×2, exit 9, said to be the one cause', async () => {
    const r = await runCli(['explain', join(FIXTURES, 'bunyan.jsonl')]);
    expect(r.code).toBe(9);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      'All 2 errors have one cause: service.unavailable, from 2024-05-01 10:00:05 UTC to 2024-05-01 10:00:09 UTC.',
    );
  });

  it('structlog (status_code, body and the traceback as fields): the 529s, known by the exception line, naming one model', async () => {
    const r = await runCli(['explain', join(FIXTURES, 'structlog.jsonl'), '--json']);
    const doc = r.json();
    expect(r.code).toBe(9);
    expect(doc.groups).toHaveLength(1);
    expect(doc.groups[0]).toMatchObject({ category: 'server', count: 2, firstSeen: '2024-05-01T11:00:01.204Z' });
    expect(doc.groups[0].example).toMatch(/^llm_call_failed — anthropic\.InternalServerError: Error code: 529/);
    expect(doc.patterns).toContain('All 2 server errors name one model: claude-3-5-sonnet. Another model may answer while it fails.');
  });
});

describe('explain on plain logs', () => {
  it('error bodies among other lines: grouped, most frequent first, exit of the first group', async () => {
    const log = [
      '2024-05-01T08:00:00Z INFO start',
      RATE,
      '2024-05-01T08:00:01Z INFO retry in 1 s',
      RATE,
      QUOTA,
      RATE,
      '2024-05-01T08:00:02Z INFO done',
    ].join('\n');
    const r = await runCli(['explain', '-', '--json'], { stdin: log });
    expect(r.code).toBe(6);
    expect(r.json().groups.map((g: { id: string; count: number }) => [g.id, g.count])).toEqual([
      ['rate.limited', 3],
      ['balance.insufficient', 1],
    ]);
    expect(r.json().groups[0]).toMatchObject({ firstLine: 2, lastLine: 6, firstSeen: null, lastSeen: null });
  });

  it("a tie goes to doctor's order: 2 rate limits and 2 bad keys headline auth (exit 4)", async () => {
    const r = await runCli(['explain', '-', '--json'], { stdin: [RATE, AUTH, RATE, AUTH].join('\n') });
    expect(r.code).toBe(4);
    expect(r.json().groups.map((g: { id: string }) => g.id)).toEqual(['auth.invalid-key', 'rate.limited']);
  });

  it('every error since one moment with the same cause is said', async () => {
    const lines = [AUTH, AUTH, ...Array.from({ length: 6 }, (_, i) => `2024-05-01T08:00:0${i}Z ERROR ${QUOTA}`)];
    const r = await runCli(['explain', '-'], { stdin: lines.join('\n') });
    expect(r.code).toBe(5);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      'Since 2024-05-01 08:00:00 UTC (line 3), every error is balance.insufficient (6 in a row, to the end; it had not occurred before). Before that: 2 auth.invalid-key.',
    );
  });

  it('--format github: one annotation a group, then a summary line', async () => {
    const r = await runCli(['explain', join(FIXTURES, 'pino.jsonl'), '--format', 'github']);
    expect(r.code).toBe(6);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^::warning title=apidoctor explain%3A rate\.limited ×3::3 × Too many requests \(429\): rate limited \[rate\.limited\] — 2024-05-01 12%3A00%3A02 UTC|^::warning title=apidoctor explain%3A rate\.limited ×3::3 × Too many requests/,
    );
    expect(lines[1]).toMatch(/^::error title=apidoctor explain%3A auth\.invalid-key ×1::/);
    expect(lines.at(-1)).toBe('apidoctor explain: 4 errors in 9 lines, 2 causes — the first: rate.limited');
  });

  it('--json with --format github is a usage error', async () => {
    const r = await runCli(['explain', join(FIXTURES, 'pino.jsonl'), '--json', '--format', 'github']);
    expect(r.code).toBe(2);
    expect(r.json().error.message).toMatch(/--json and --format github ask for two different output formats/);
  });
});

describe('explain: what is not a log of errors', () => {
  it('empty input (or only blank lines): exit 2, nothing to explain', async () => {
    for (const stdin of ['', '\n\n  \n']) {
      const r = await runCli(['explain', '-'], { stdin });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/nothing to explain: the input is empty/);
    }
  });

  it('a log where nothing looks like an error: exit 0, saying how many lines were read', async () => {
    const log = Array.from({ length: 120 }, (_, i) => `2024-05-01T08:00:00Z INFO served GET /v1/models 200 in ${400 + i} ms`).join('\n');
    const r = await runCli(['explain', '-'], { stdin: log });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('✓ no API error found in 120 lines.\n');
    const j = await runCli(['explain', '-', '--json'], { stdin: log });
    expect(j.json()).toMatchObject({ ok: true, exitCode: 0, errors: 0, groups: [], diagnoses: [] });
  });

  it('text that looks like an error but cannot be read: a diagnosis and exit 1', async () => {
    const r = await runCli(['explain', '-', '--json'], {
      stdin: '2024-05-01T08:00:00Z INFO start\n2024-05-01T08:00:01Z ERROR the frobnicator failed\n2024-05-01T08:00:02Z INFO stop\n',
    });
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({
      errors: 1,
      groups: [{ id: 'http.unexpected-status', count: 1, example: 'ERROR the frobnicator failed' }],
    });
    expect(r.json().diagnoses).toHaveLength(1);
  });

  it('a single error text keeps its reading, and the JSON says errors 1 with its one group', async () => {
    const r = await runCli(['explain', '-', '--status', '429', '--json'], { stdin: RATE });
    expect(r.code).toBe(6);
    expect(r.json()).toMatchObject({
      errors: 1,
      groups: [{ id: 'rate.limited', category: 'rate_limit', count: 1, firstSeen: null, lastSeen: null }],
      diagnoses: [{ id: 'rate.limited' }],
    });
    const t = await runCli(['explain', '-', '--status', '429'], { stdin: RATE });
    expect(t.stdout).toBe('rate.limited\n');
  });

  it('a compressed log is not read as text: exit 2 with how to read it', async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'app.log.gz'), gzipSync(`2024-05-01T08:00:00Z ERROR ${RATE}\n`));
    const r = await runCli(['explain', 'app.log.gz'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(flat(r.stderr)).toMatch(/app\.log\.gz is binary data \(gzip-compressed data\), not a response or an error text/);
    expect(flat(r.stderr)).toMatch(/zcat app\.log\.gz \| apidoctor explain -/);
  });

  it('binary data gets a clear answer (exit 2), not a reading of its bytes as a log, not a crash', async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 10, 0x80, 0x81]));
    const r = await runCli(['explain', 'blob.bin', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.json().error.message).toMatch(/binary data/);
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
  });

  it('a 10 MB line in a log: read in bounded time, its head read, said', async () => {
    const dir = emptyDir();
    const log = `2024-05-01T08:00:00Z INFO start\n2024-05-01T08:00:01Z ERROR dump ${'x'.repeat(10 * 1024 * 1024)}\n${RATE}\n`;
    writeFileSync(join(dir, 'big.log'), log);
    const r = await runCli(['explain', 'big.log', '--json'], { cwd: dir, timeoutMs: 20_000 });
    expect(r.json()).toMatchObject({ errors: 2, input: { lines: 3, linesCut: 1 } });
    expect(r.json().groups.map((g: { id: string }) => g.id)).toContain('rate.limited');
    expect(r.durationMs).toBeLessThan(10_000);
    const t = await runCli(['explain', 'big.log'], { cwd: dir });
    expect(t.stderr).toMatch(/1 line was longer than 64 KiB; the head of each was read/);
  });
});

describe('explain: secrets of any vendor in a log never reach the output', () => {
  const SECRETS = [
    'sk-ant-api03-Zq8mW2xLp0Rt7VbN4cYh1KdJ6sFgE3uI9oPa5',
    'AIzaSyD-4f9Qw2Er7Ty0Ui3Op6As8Df1Gh5Jk2L',
    'sk-proj-T3BlbkFJ9x8c7v6b5n4m3q2w1e0r9t8y7u6i5',
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzE0NTY0ODAwfQ.s1gN4tur3-Abc_def0123456789xyzXYZ',
  ];
  it('in the examples of text, JSON and github outputs, even where an example is cut', async () => {
    const lines = SECRETS.map(
      (s, i) => `2024-05-01T08:00:0${i}Z ERROR ${'.'.repeat(230 + i * 11)} request with Authorization: Bearer ${s} failed ${AUTH}`,
    );
    lines.push(
      JSON.stringify({
        level: 50,
        time: 1714564800000,
        msg: `call failed for key ${SECRETS[0]}`,
        err: { type: 'AuthenticationError', message: `401 Invalid key ${SECRETS[1]}`, status: 401 },
      }),
    );
    const stdin = lines.join('\n');
    for (const args of [[], ['--json'], ['--format', 'github']]) {
      const r = await runCli(['explain', '-', ...args], { stdin });
      expect(r.code).toBe(4);
      for (const s of SECRETS) {
        expect(r.stdout + r.stderr).not.toContain(s.slice(0, 18));
        expect(r.stdout + r.stderr).not.toContain(s.slice(-10));
      }
    }
  });
});

describe.skipIf(process.platform === 'win32')('explain on a named pipe (FIFO) that a program writes to', () => {
  /** Writes `text` into the FIFO once a reader has opened it (the open waits for one), then closes it. */
  const writeInto = (fifo: string, text: string) =>
    new Promise<void>((resolve, reject) => {
      const w = createWriteStream(fifo);
      w.on('error', reject);
      w.end(text, () => resolve());
    });
  const LOG = ['2024-05-01 12:00:00 INFO starting', RATE, '2024-05-01 12:00:01 INFO retrying', RATE, QUOTA, ''].join('\n');

  it('explain FIFO reads what is written, to its end: the groups, exit of the first group', async () => {
    const fifo = join(emptyDir(), 'app.fifo');
    execFileSync('mkfifo', [fifo]);
    const [r] = await Promise.all([runCli(['explain', fifo, '--json'], { timeoutMs: 15_000 }), writeInto(fifo, LOG)]);
    expect(r.code).toBe(6);
    const doc = r.json();
    expect(doc).toMatchObject({ errors: 3, input: { lines: 5 } });
    expect(doc.groups.map((g: { id: string; count: number }) => [g.id, g.count])).toEqual([
      ['rate.limited', 2],
      ['balance.insufficient', 1],
    ]);
  }, 30_000);

  it('explain --follow FIFO: a line an error as it arrives, the summary when the writer closes it', async () => {
    const fifo = join(emptyDir(), 'app.fifo');
    execFileSync('mkfifo', [fifo]);
    const [r] = await Promise.all([runCli(['explain', '--follow', fifo, '--json'], { timeoutMs: 15_000 }), writeInto(fifo, LOG)]);
    expect(r.code).toBe(6);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.event === 'error').map((l) => l.id)).toEqual(['rate.limited', 'rate.limited', 'balance.insufficient']);
    expect(lines.at(-1)).toMatchObject({ command: 'explain', errors: 3, exitCode: 6 });
  }, 30_000);
});
