/**
 * The log scanner in process: how lines become errors (one a stack trace, one a traceback with its
 * chained exceptions, not one a frame), which lines are not errors, times, the order of the groups and
 * what the log shows as a whole. Ids that need the SDK text readers are in test/e2e/logs-sdk-lines.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogScanner, type LogError } from '../../src/logs/scan.js';
import { GroupTable, safeExample } from '../../src/logs/groups.js';
import { LineSplitter, MAX_LINE } from '../../src/logs/lines.js';
import { stampOfLine, stampOfValue } from '../../src/logs/timestamps.js';
import { diagnoseById } from '../../src/diagnosis/engine.js';
import type { DiagnosisId } from '../../src/diagnosis/catalog.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/logs');
const NOW = Date.UTC(2024, 5, 1);

function scan(text: string, chunk = 0): { errors: LogError[]; scanner: LogScanner } {
  const errors: LogError[] = [];
  const scanner = new LogScanner((e) => errors.push(e), NOW);
  if (chunk > 0) for (let i = 0; i < text.length; i += chunk) scanner.push(text.slice(i, i + chunk));
  else scanner.push(text);
  scanner.end();
  return { errors, scanner };
}
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('records: one error a stack trace, not one a frame', () => {
  it('Python logging with tracebacks: three errors, the chained one (three tracebacks) counted once, each known by its last line', () => {
    for (const chunk of [0, 7, 4096]) {
      const { errors, scanner } = scan(fixture('python-traceback.log'), chunk);
      expect(scanner.lines).toBe(40);
      expect(errors.map((e) => e.line)).toEqual([3, 13, 35]);
      expect(errors[0]!.example).toMatch(/^openai\.RateLimitError: Error code: 429 - \{'error'/);
      expect(errors[1]!.example).toBe('openai.APIConnectionError: Connection error.');
      expect(errors.map((e) => e.time?.iso)).toEqual(['2024-05-01T14:02:13.006', '2024-05-01T14:02:15.911', '2024-05-01T14:02:17.313']);
    }
  });

  it('a traceback begun on a log line (logging.exception: "… ERROR Traceback (most recent call last):") is one error, known by its last line', () => {
    const log = [
      '2024-05-01 16:23:00,000 INFO starting',
      '2024-05-01 16:23:00,100 ERROR Traceback (most recent call last):',
      '  File "app.py", line 10, in <module>',
      '    r.raise_for_status()',
      '  File "/usr/lib/python3/site-packages/requests/models.py", line 1021, in raise_for_status',
      '    raise HTTPError(http_error_msg, response=self)',
      'requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: https://modelswitch.io/v1/chat/completions',
      '2024-05-01 16:23:01,000 INFO done',
    ].join('\n');
    for (const chunk of [0, 5]) {
      const { errors } = scan(log, chunk);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.example).toMatch(/^requests\.exceptions\.HTTPError: 502 Server Error/);
    }
  });

  it("Node's printed errors with their stack and their fields ({ status: 429, headers: {…}, error: {…} }): two errors", () => {
    const { errors } = scan(fixture('node-stack.log'));
    expect(errors.map((e) => e.line)).toEqual([5, 29]);
    expect(errors[0]!.example).toMatch(/^RateLimitError: 429 Rate limit reached for gpt-4o-mini/);
    expect(errors[1]!.example).toBe('Error: 502 Bad Gateway');
  });

  it('Java (Spring Boot) with the exception under the log line, frames, "Caused by:" and "... 12 more": two errors', () => {
    const { errors } = scan(fixture('java.log'));
    expect(errors.map((e) => e.line)).toEqual([2, 9]);
    expect(errors[0]!.example).toMatch(/^com\.openai\.errors\.RateLimitException: 429/);
    expect(errors[1]!.example).toMatch(/^java\.io\.UncheckedIOException/);
    expect(errors[0]!.time?.iso).toBe('2024-05-01T16:20:41.772');
  });

  it('an HTML error page quoted over many lines is one error', () => {
    const page = [
      '<html>',
      '<head><title>502 Bad Gateway</title></head>',
      '<body>',
      '<center><h1>502 Bad Gateway</h1></center>',
      '<hr><center>nginx</center>',
      '</body>',
      '</html>',
    ];
    const { errors } = scan(
      ['worker started', 'openai.InternalServerError: Error code: 502 - <html>', ...page.slice(1), 'worker stopped'].join('\n'),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(2);
  });

  it('JSON lines: one error a line, whatever the line holds (a stack with newlines in a field)', () => {
    const { errors } = scan(fixture('pino.jsonl'));
    expect(errors.map((e) => e.line)).toEqual([3, 5, 7, 8]);
    expect(errors.map((e) => e.time?.iso)).toEqual([
      '2024-05-01T12:00:02.310Z',
      '2024-05-01T12:00:04.120Z',
      '2024-05-01T12:00:06.777Z',
      '2024-05-01T12:00:07.001Z',
    ]);
    expect(errors[0]!.example).toMatch(/^chat completion failed — Error: 429 Rate limit reached/);
  });
});

describe('which lines are errors', () => {
  it('numbers that are not statuses, and INFO lines without a strong sign, are not errors; an INFO line with HTTP/1.1 429 is', () => {
    const log = [
      '2024-05-01 12:00:00,001 INFO app: job 41 took 512 ms',
      '2024-05-01 12:00:01,001 INFO app: GET /v1/models 200 in 415ms',
      '2024-05-01 12:00:02,001 DEBUG app: retrying is disabled; error budget 500',
      '{"level":30,"time":1714564801250,"res":{"statusCode":200},"responseTime":412,"msg":"request completed"}',
      '2024-05-01 12:00:03,001 INFO httpx: HTTP Request: POST https://api.openai.com/v1/chat/completions "HTTP/1.1 429 Too Many Requests"',
      '10.0.0.7 - - [01/May/2024:12:00:04 +0000] "POST /v1/chat/completions HTTP/1.1" 503 312 "-" "python-httpx/0.27"',
    ].join('\n');
    const { errors } = scan(log);
    expect(errors.map((e) => e.line)).toEqual([5, 6]);
    expect(errors[1]!.time?.iso).toBe('2024-05-01T12:00:04.000Z');
  });

  it('a log with no error has none, however long', () => {
    const { errors, scanner } = scan(
      Array.from({ length: 5000 }, (_, i) => `2024-05-01T12:00:00Z INFO served request ${i} in ${i % 900} ms`).join('\n'),
    );
    expect(errors).toHaveLength(0);
    expect(scanner.lines).toBe(5000);
  });
});

describe('times', () => {
  it('reads the forms logs write', () => {
    expect(stampOfLine('2024-05-01T12:00:00.123+02:00 x', NOW)?.iso).toBe('2024-05-01T10:00:00.123Z');
    expect(stampOfLine('2024-05-01 12:00:00,123 ERROR x', NOW)?.iso).toBe('2024-05-01T12:00:00.123');
    expect(stampOfLine('2024/05/01 12:00:00 [error] 7#7: upstream timed out', NOW)?.iso).toBe('2024-05-01T12:00:00');
    expect(stampOfLine('May  1 12:00:00 host app[42]: error', NOW)?.iso).toBe('2024-05-01T12:00:00');
    expect(stampOfLine('1.2.3.4 - - [10/Oct/2023:13:55:36 -0700] "GET / HTTP/1.1" 502 0', NOW)?.iso).toBe('2023-10-10T20:55:36.000Z');
    expect(stampOfValue(1714564800000, NOW)?.iso).toBe('2024-05-01T12:00:00.000Z'); // pino
    expect(stampOfValue(1714564800.5, NOW)?.iso).toBe('2024-05-01T12:00:00.500Z'); // zap
    expect(stampOfLine('no time here', NOW)).toBeUndefined();
  });
});

function err(id: DiagnosisId, line: number, extra: Partial<LogError> = {}): LogError {
  return { n: line, diagnosis: diagnoseById(id), line, example: `example ${id}`, ...extra };
}

describe('groups', () => {
  it('most frequent first: one stray reset among 5,000 quota errors does not headline network', () => {
    const t = new GroupTable();
    t.add(err('network.reset', 1));
    for (let i = 0; i < 5000; i++) t.add(err('balance.insufficient', i + 2));
    expect(t.ordered().map((g) => [g.id, g.count])).toEqual([
      ['balance.insufficient', 5000],
      ['network.reset', 1],
    ]);
  });

  it("ties in doctor's order: config → network → auth → balance → rate limit → server", () => {
    const t = new GroupTable();
    const ids: DiagnosisId[] = [
      'server.error',
      'rate.limited',
      'balance.insufficient',
      'auth.invalid-key',
      'network.refused',
      'config.bad-base-url',
    ];
    ids.forEach((id, i) => t.add(err(id, i + 1)));
    expect(t.ordered().map((g) => g.id)).toEqual([...ids].reverse());
  });

  it('first and last seen are the earliest and latest times, whatever the order of the lines', () => {
    const t = new GroupTable();
    const at = (iso: string) => ({ time: { ms: Date.parse(iso), iso } });
    t.add(err('rate.limited', 1, at('2024-05-01T12:00:05.000Z')));
    t.add(err('rate.limited', 2, at('2024-05-01T12:00:01.000Z')));
    t.add(err('rate.limited', 3, at('2024-05-01T12:00:03.000Z')));
    const [g] = t.ordered();
    expect([g!.first?.iso, g!.last?.iso, g!.firstLine, g!.lastLine]).toEqual([
      '2024-05-01T12:00:01.000Z',
      '2024-05-01T12:00:05.000Z',
      1,
      3,
    ]);
  });
});

describe('what the log says as a whole', () => {
  it('every error since one moment has one cause that had not occurred before', () => {
    const t = new GroupTable();
    for (let i = 1; i <= 4; i++) t.add(err('provider.error', i));
    t.add(err('network.reset', 5));
    for (let i = 6; i <= 30; i++)
      t.add(err('balance.insufficient', i, { time: { ms: Date.UTC(2024, 4, 1, 12, 3, 7) + i, iso: '2024-05-01T12:03:07.006Z' } }));
    expect(t.patterns()).toEqual([
      'Since 2024-05-01 12:03:07 UTC (line 6), every error is balance.insufficient (25 in a row, to the end; it had not occurred before). Before that: 4 provider.error, 1 network.reset.',
    ]);
  });

  it('no pattern is claimed when the causes alternate', () => {
    const t = new GroupTable();
    for (let i = 1; i <= 20; i++) t.add(err(i % 2 ? 'rate.limited' : 'server.error', i));
    expect(t.patterns()).toEqual([]);
  });

  it('the server errors all name one upstream model; not said when one of them names another or none', () => {
    const t = new GroupTable();
    t.add(err('provider.error', 1, { model: 'claude-3-5-sonnet' }));
    t.add(err('service.unavailable', 2, { model: 'claude-3-5-sonnet' }));
    t.add(err('rate.limited', 3, { model: 'gpt-4o' }));
    expect(t.patterns().join()).toMatch(/All 2 server errors name one model: claude-3-5-sonnet/);
    t.add(err('provider.error', 4));
    expect(t.patterns().join()).not.toMatch(/name one model/);
  });

  it('one cause for all', () => {
    const t = new GroupTable();
    for (let i = 1; i <= 3; i++) t.add(err('rate.limited', i));
    expect(t.patterns()).toEqual(['All 3 errors have one cause: rate.limited.']);
  });
});

describe('bounds', () => {
  it('a 10 MB line is kept to its first 64 KiB, and the lines around it are read', () => {
    const got: Array<[number, boolean]> = [];
    const s = new LineSplitter((l, cut) => got.push([l.length, cut]));
    const big = 'x'.repeat(10 * 1024 * 1024);
    s.push('first\n');
    for (let i = 0; i < big.length; i += 100_000) s.push(big.slice(i, i + 100_000));
    s.push('\nlast');
    s.end();
    expect(got).toEqual([
      [5, false],
      [MAX_LINE, true],
      [4, false],
    ]);
  });

  it('an example is redacted before it is cut: no part of any vendor secret is left', () => {
    const keys = [
      'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
      'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
    ];
    for (const key of keys) {
      for (let pad = 240; pad <= 300; pad += 7) {
        const ex = safeExample(`${'.'.repeat(pad)} Authorization: Bearer ${key} failed`);
        expect(ex.length).toBeLessThanOrEqual(300);
        expect(ex).not.toContain(key.slice(0, 20));
        expect(ex).not.toContain(key.slice(-12));
      }
    }
  });
});
