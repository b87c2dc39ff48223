/**
 * Memory and decoding are bounded whatever the server sends: an endless body, a body far larger than the
 * endpoint ever answers, a gzip/deflate/brotli bomb. Each run is the built CLI as a user runs it, with
 * its peak resident set size measured (test/helpers/peak-rss.cjs, /proc's VmHWM): under 150 MiB.
 * A compressed JSON error is read as the JSON it is.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDir, runCli, flat } from '../helpers/run-cli.js';
import { startHostileServer, type HostileServer, type HostileSpec } from '../helpers/hostile-server.js';

const PEAK_RSS = resolve(import.meta.dirname, '../helpers/peak-rss.cjs');
const MiB = 1024 * 1024;
const KEYS = { MODELSWITCH_API_KEY: 'ms-test0good0key0a1b2c3d4e5f6a7b8c9', MODELSWITCH_BILLING_KEY: 'mk-test0billing00d4e5f6a7b8c9d0e1f2' };

let srv: HostileServer;
beforeAll(async () => {
  srv = await startHostileServer();
});
afterAll(async () => {
  await srv?.close();
});

let n = 0;
/** Runs the CLI against `spec`; returns the run and its peak RSS in MiB. */
async function measure(args: string[], spec: HostileSpec) {
  const name = `m${++n}`;
  srv.serve(name, spec);
  const rssFile = join(emptyDir(), 'maxrss');
  const r = await runCli([...args, '--timeout', '20000'], {
    env: { ...KEYS, MODELSWITCH_BASE_URL: `${srv.url}/${name}`, NODE_OPTIONS: `--require ${PEAK_RSS}`, PEAK_RSS_FILE: rssFile },
    timeoutMs: 60_000,
  });
  const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  return { r, rssMiB };
}

const endless = (status: number, contentType = 'application/json', bytes = 256 * MiB): HostileSpec => ({
  kind: 'respond',
  status,
  headers: [['content-type', contentType]],
  body: { fill: 'x', bytes },
  framing: 'none',
});

describe('memory: peak RSS under 150 MiB for every hostile answer', () => {
  it.each([
    ['balance, an endless 200', ['balance'], endless(200), 10, 'response.too-large'],
    ['keys, an endless 200', ['keys'], endless(200), 10, 'response.too-large'],
    ['balance --json, an endless 200', ['balance', '--json'], endless(200), 10, 'response.too-large'],
    ['call /v1/models, an endless 200', ['call', '/v1/models'], endless(200), 10, 'response.too-large'],
    ['call /api/usage, an endless 200', ['call', '/api/usage'], endless(200), 10, 'response.too-large'],
    ['call, an endless 500', ['call', '/v1/models'], endless(500, 'text/html'), 9, undefined],
    [
      'call POST /v1/chat/completions, an endless 200 (cut at 16 MiB)',
      ['call', 'POST', '/v1/chat/completions', '--data', '{}'],
      endless(200, 'application/json', 100 * MiB),
      10,
      undefined,
    ],
  ] as const)(
    '%s',
    async (_what, args, spec, code, id) => {
      const { r, rssMiB } = await measure([...args], spec);
      expect(r.stderr).not.toMatch(/internal error|heap out of memory/i);
      expect(r.code).toBe(code);
      if (id) expect((args as readonly string[]).includes('--json') ? r.json().diagnoses[0].id : r.stderr).toContain(id);
      expect(rssMiB).toBeLessThan(150);
    },
    90_000,
  );

  it('doctor, an endless 200 on every route', async () => {
    const { r, rssMiB } = await measure(['doctor'], endless(200));
    expect(r.stderr).not.toMatch(/internal error|heap out of memory/i);
    expect(r.code).toBe(10);
    expect(r.stderr).toContain('[response.too-large]');
    expect(rssMiB).toBeLessThan(150);
  }, 90_000);
});

describe('compressed bodies: decoded, within the same caps', () => {
  const error = JSON.stringify({ error: { message: 'Invalid API key', type: 'authentication_error', code: 'invalid_api_key' } });
  const encoded = (status: number, encoding: string, body: Buffer, contentType = 'application/json'): HostileSpec => ({
    kind: 'respond',
    status,
    headers: [
      ['content-type', contentType],
      ['content-encoding', encoding],
    ],
    body,
  });

  it.each([
    ['gzip', gzipSync(Buffer.from(error))],
    ['x-gzip', gzipSync(Buffer.from(error))],
    ['deflate', deflateSync(Buffer.from(error))],
    ['br', brotliCompressSync(Buffer.from(error))],
  ])(
    'a %s JSON 401 is read as JSON: the key is refused (exit 4), not "not JSON"',
    async (encoding, body) => {
      const { r } = await measure(['call', '/v1/models'], encoded(401, encoding, body));
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('[auth.invalid-key]');
      expect(r.stderr).not.toMatch(/not JSON|captive portal/i);
    },
    60_000,
  );

  it('a gzip 200 model list is read as the list', async () => {
    const list = JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] });
    const { r } = await measure(['call', '/v1/models', '--json'], encoded(200, 'gzip', gzipSync(Buffer.from(list))));
    expect(r.code).toBe(0);
    expect(r.json().response.body.data[0].id).toBe('gpt-4o');
  }, 60_000);

  // 200 MiB of zeros, compressed to a few hundred KiB: each stops at its cap, not in memory.
  const zeros = () => Buffer.alloc(200 * MiB);
  const gzBomb = gzipSync(zeros(), { level: 9 });
  const brBomb = brotliCompressSync(zeros(), { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
  it.each([
    ['a gzip bomb as a 200 balance', ['balance'], encoded(200, 'gzip', gzBomb), 10],
    ['a brotli bomb as a 200 key list', ['keys'], encoded(200, 'br', brBomb), 10],
    ['a gzip bomb as a 401 error', ['call', '/v1/models'], encoded(401, 'gzip', gzBomb), 4],
    [
      'a gzip bomb as a 200 completion (16 MiB cap)',
      ['call', 'POST', '/v1/chat/completions', '--data', '{}'],
      encoded(200, 'gzip', gzBomb),
      10,
    ],
  ] as const)(
    '%s hits the cap: clear answer, peak RSS under 150 MiB',
    async (_what, args, spec, code) => {
      expect(gzBomb.length).toBeLessThan(1 * MiB);
      const { r, rssMiB } = await measure([...args], spec);
      expect(r.stderr).not.toMatch(/internal error|heap out of memory/i);
      expect(r.code).toBe(code);
      expect(rssMiB).toBeLessThan(150);
    },
    90_000,
  );

  it('a body that says gzip but is not gets a clear answer, not a crash', async () => {
    const { r } = await measure(['balance'], encoded(200, 'gzip', Buffer.from('{"balance": 5}')));
    expect(r.stderr).not.toMatch(/internal error/i);
    expect(flat(r.stderr)).toMatch(/gzip-encoded but could not be decoded/);
    expect([7, 10]).toContain(r.code);
  }, 60_000);
});

describe('deeply nested bodies: read as text, not parsed level by level (peak RSS under 150 MiB)', () => {
  // JSON.parse keeps a frame a level: 16 MiB of `[` cost 160+ MiB before failing, and a closed
  // nesting builds millions of arrays. Past 256 levels a body is read as malformed JSON (text).
  const deep = (n: number, inner = '') => `{"error":${'['.repeat(n)}${inner}${']'.repeat(n)},"x":1}`;
  const nested = (status: number, body: string | { fill: string; bytes: number }): HostileSpec => ({
    kind: 'respond',
    status,
    headers: [['content-type', 'application/json']],
    body,
    framing: 'none',
  });

  it.each([
    ['balance, an endless 200 of `[[[[`', ['balance'], nested(200, { fill: '[', bytes: 64 * MiB }), 10, 'response.too-large'],
    [
      'balance --json, an endless 200 of `{"a":{"a":`',
      ['balance', '--json'],
      nested(200, { fill: '{"a":', bytes: 64 * MiB }),
      10,
      'response.too-large',
    ],
    ['doctor, an endless 200 of `[[[[` on every route', ['doctor'], nested(200, { fill: '[', bytes: 64 * MiB }), 10, 'response.too-large'],
    ['call, a 400 of 4 million closed levels', ['call', '/v1/models'], nested(400, deep(4_000_000)), 1, 'request.invalid'],
  ] as const)(
    '%s: a clear answer',
    async (_what, args, spec, code, id) => {
      const { r, rssMiB } = await measure([...args], spec);
      expect(r.stderr).not.toMatch(/internal error|heap out of memory|Maximum call stack/i);
      expect(r.code).toBe(code);
      expect((args as readonly string[]).includes('--json') ? r.json().diagnoses[0].id : r.stderr).toContain(id);
      expect(rssMiB).toBeLessThan(150);
    },
    90_000,
  );

  it.each([
    ['4 MiB of `[`', '['.repeat(4 * MiB), 1, 'http.unexpected-status'],
    // read as text, the error's own words are still found
    ['4 million closed levels around an error', deep(4_000_000, '{"message":"Rate limit exceeded"}'), 6, 'rate.limited'],
  ])(
    'explain on a file of %s: a clear answer, no crash',
    async (_what, text, code, id) => {
      const dir = emptyDir();
      const file = join(dir, 'body.json');
      writeFileSync(file, text);
      const rssFile = join(dir, 'maxrss');
      const r = await runCli(['explain', file, '--json'], {
        env: { NODE_OPTIONS: `--require ${PEAK_RSS}`, PEAK_RSS_FILE: rssFile },
        timeoutMs: 60_000,
      });
      expect(r.stderr).not.toMatch(/internal error|heap out of memory|Maximum call stack/i);
      expect(r.code).toBe(code);
      expect(r.json().diagnoses[0].id).toBe(id);
      expect(Number(readFileSync(rssFile, 'utf8')) / 1024).toBeLessThan(150);
    },
    90_000,
  );

  // Flat, valid JSON of many small objects: ~100 bytes of heap an object once parsed (4 MiB of `{},`: 200+ MiB).
  const manyObjects = (head: string, bytes: number, tail = ']}') =>
    `${head}${Array(Math.floor(bytes / 3))
      .fill('{}')
      .join(',')}${tail}`;
  it.each([
    [
      'balance, a 200 of `{"balance":5,"x":[{},{},…]}` (4 MiB)',
      ['balance'],
      nested(200, manyObjects('{"balance":5,"x":[', 3.9 * MiB)),
      10,
      'response.too-large',
    ],
    [
      'call /v1/models, a 200 of `{"data":[{},{},…]}` (4 MiB)',
      ['call', '/v1/models'],
      nested(200, manyObjects('{"data":[', 3.9 * MiB)),
      10,
      'response.too-large',
    ],
    [
      'call /api/keys, a 200 of `{"keys":[{},{},…]}` (15 MiB)',
      ['call', '/api/keys'],
      nested(200, manyObjects('{"keys":[', 15 * MiB)),
      10,
      'response.too-large',
    ],
    [
      'doctor, the same many objects on every route',
      ['doctor'],
      nested(200, manyObjects('{"data":[', 3.9 * MiB)),
      10,
      'response.too-large',
    ],
  ] as const)(
    '%s: too large to read, said so (peak RSS under 150 MiB)',
    async (_what, args, spec, code, id) => {
      const { r, rssMiB } = await measure([...args], spec);
      expect(r.stderr).not.toMatch(/internal error|heap out of memory|Maximum call stack/i);
      expect(r.code).toBe(code);
      expect(r.stderr + r.stdout).toContain(id);
      expect(rssMiB).toBeLessThan(150);
    },
    90_000,
  );

  it('explain on a saved error body of 1.3 million small objects: read as text, the message still found (peak RSS under 150 MiB)', async () => {
    const dir = emptyDir();
    const file = join(dir, 'body.json');
    writeFileSync(file, manyObjects('{"error":{"message":"Rate limit exceeded","items":[', 3.9 * MiB, ']}}'));
    const rssFile = join(dir, 'maxrss');
    const r = await runCli(['explain', '--status', '429', file, '--json'], {
      env: { NODE_OPTIONS: `--require ${PEAK_RSS}`, PEAK_RSS_FILE: rssFile },
      timeoutMs: 60_000,
    });
    expect(r.stderr).not.toMatch(/internal error|heap out of memory|Maximum call stack/i);
    expect(r.code).toBe(6);
    expect(r.json().diagnoses[0].id).toBe('rate.limited');
    expect(Number(readFileSync(rssFile, 'utf8')) / 1024).toBeLessThan(150);
  }, 90_000);

  it('a body nested within the bound is still read as JSON', async () => {
    const { r } = await measure(
      ['call', '/v1/models', '--json'],
      nested(
        401,
        JSON.stringify({
          error: {
            message: 'Invalid API key',
            type: 'authentication_error',
            code: 'invalid_api_key',
            detail: JSON.parse(`${'['.repeat(200)}1${']'.repeat(200)}`) as unknown,
          },
        }),
      ),
    );
    expect(r.code).toBe(4);
    expect(r.json().diagnoses[0].id).toBe('auth.invalid-key');
  }, 60_000);
});
