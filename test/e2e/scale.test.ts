/**
 * Big accounts: `keys` with 100,000 keys prints the whole table, and the table of 200,000 is laid out
 * (150,000 crashed with "Maximum call stack size exceeded"); `keys --json` to a pipe prints the whole
 * document (the exit backstop cut it short); a key list is read as it arrives (150,000 keys, past
 * the 16 MiB it was once capped at, are listed), and one past apidoctor's bound of keys is a clear answer;
 * `balance` on a busy account asks all its usage pages together, with the balance: one round trip.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, startEmulator, type Emulator } from '../emulator/server.js';
import { emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { emptyDir, runCli } from '../helpers/run-cli.js';
import type { KeyView } from '../../src/render/keys.js';
import { keysTable } from '../../src/render/keys-table.js';
import { PLAIN } from '../../src/render/style.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

/** GET /api/keys with `n` keys, served as one string; `record` may change the JSON of record i (from 0). */
function serveKeys(n: number, record: (i: number, json: string) => string = (_, json) => json): void {
  const now = Date.now();
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const expires = i % 2 ? `,"expiresAt":"${new Date(now + (1 + (i % 400)) * 86_400_000).toISOString()}"` : '';
    parts.push(
      record(
        i,
        `{"id":${i + 1},"name":"key ${i + 1}","prefix":"ms-g${String(i).padStart(7, '0')}","active":${i % 3 !== 0},"createdAt":"${new Date(now - (i % 300) * 86_400_000).toISOString()}"${expires}}`,
      ),
    );
  }
  emu.state.failures.push({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: `{"keys":[${parts.join(',')}]}`,
    match: { path: '/api/keys' },
  });
}

describe('keys with very many keys', () => {
  it('the table of 200,000 keys is laid out (the widths no longer spread every row into Math.max)', () => {
    const rows: KeyView[] = Array.from({ length: 200_000 }, (_, i) => ({
      id: i + 1,
      name: `key ${i + 1}`,
      prefix: `ms-g${String(i).padStart(7, '0')}`,
      active: true,
      createdAt: '2026-01-01T00:00:00Z',
      expiresAt: null,
      daysLeft: null,
      expired: false,
      status: 'active',
      configured: false,
    }));
    const table = keysTable(rows, PLAIN);
    expect(table.trimEnd().split('\n')).toHaveLength(200_001);
  });

  it('100,000 keys: the whole table, exit 0, no crash', async () => {
    serveKeys(100_000);
    const r = await runCli(['keys'], { env: emulatorEnv(emu), timeoutMs: 90_000 });
    expect(r.stderr).not.toMatch(/internal error|call stack/i);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(100_001);
    expect(lines[0]).toMatch(/^\s+ID\s+NAME\s+PREFIX\s+STATUS\s+CREATED\s+EXPIRES\s+DAYS LEFT$/);
    expect(lines.at(-1)).toMatch(/^\s+100000\s+key 100000\s+ms-g0099999\s+INACTIVE\s+\d{4}-\d{2}-\d{2}/);
  }, 120_000);

  it('a list the fast reader gives up on past its first MiB (a nested value near the end) is still listed, read again whole', async () => {
    // Past its first MiB the client keeps nothing of what the list reader reads: the list is asked for again.
    serveKeys(20_000, (i, json) => (i === 19_990 ? json.replace('}', ',"meta":{"tags":["ci"]}}') : json));
    const r = await runCli(['keys'], { env: emulatorEnv(emu), timeoutMs: 60_000 });
    expect(r.stderr).not.toMatch(/internal error|too-large/i);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(20_001);
    expect(lines[19_991]).toMatch(/^\s+19991\s+key 19991\s+ms-g0019990\s/);
    expect(emu.requests.filter((q) => q.path === '/api/keys')).toHaveLength(2);
  }, 90_000);

  it('a key hidden in the times of a few rows of a long table is masked, whichever piece of the table they fall in', async () => {
    // Rows written straight from the list's bytes skip the second redaction; these rows are not such rows, and
    // a piece of the table that holds one is redacted whole (a piece is ~500 rows here): one row in four, in
    // every piece (test/unit/key-list.test.ts tries such a row at each piece boundary).
    const hostile = new Set([...Array.from({ length: 750 }, (_, k) => 4 * k + (k % 3)), 2999]);
    serveKeys(3000, (i, json) =>
      hostile.has(i)
        ? json
            .replace(/"createdAt":"[^"]*"/, `"createdAt":"${KEYS.proxy}"`)
            .replace(/"expiresAt":"[^"]*"/, `"expiresAt":"x ${KEYS.billing}"`)
        : json,
    );
    // Wide enough for the table (not one key a line) with the long times in it.
    const r = await runCli(['keys'], { env: emulatorEnv(emu, { COLUMNS: '200' }), timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expectNoKeys(r);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3001);
    for (const i of hostile) expect(lines[i + 1]).toMatch(i % 2 ? /ms-test….*mk-test…/ : /ms-test…/);
  }, 90_000);

  it('100,000 keys with --json to a pipe: one complete document', async () => {
    serveKeys(100_000);
    const r = await runCli(['keys', '--json'], { env: emulatorEnv(emu), timeoutMs: 90_000 });
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc.keys).toHaveLength(100_000);
    expect(doc.keys.at(-1)).toMatchObject({ id: 100_000, prefix: 'ms-g0099999' });
  }, 120_000);

  it('150,000 keys (past the 16 MiB GET /api/keys was once read up to): the whole document, read as it arrives', async () => {
    serveKeys(150_000);
    const r = await runCli(['keys', '--json'], { env: emulatorEnv(emu), timeoutMs: 90_000 });
    expect(r.stderr).not.toMatch(/internal error|call stack|heap out of memory/i);
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc.keys).toHaveLength(150_000);
    expect(doc.keys.at(-1)).toMatchObject({ id: 150_000, prefix: 'ms-g0149999' });
  }, 120_000);

  it('keys -q with 600,000 keys into a pipe: a line a key, written as the reader takes it (peak RSS under 150 MiB)', async () => {
    serveKeys(600_000);
    const rssFile = join(emptyDir(), 'maxrss');
    const r = await runCli(['keys', '-q'], {
      env: {
        ...emulatorEnv(emu),
        NODE_OPTIONS: `--require ${resolve(import.meta.dirname, '../helpers/peak-rss.cjs')}`,
        PEAK_RSS_FILE: rssFile,
      },
      timeoutMs: 90_000,
    });
    expect(r.stderr).not.toMatch(/internal error|call stack|heap out of memory/i);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(600_000);
    expect(lines[0]).toBe('1\tms-g0000000\tinactive');
    expect(lines.at(-1)).toBe('600000\tms-g0599999\tactive');
    // As one report these lines peaked at 267 MiB (Node 20) and 363 MiB (Node 24); a string per key, 132 MiB on Node 24.
    expect(Number(readFileSync(rssFile, 'utf8')) / 1024).toBeLessThan(150);
  }, 120_000);

  it("a list past apidoctor's bound (1,500,000 keys) is a clear too-large answer (exit 10), not a crash", async () => {
    emu.state.failures.push({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: `{"keys":[${'{"id":1},'.repeat(1_500_000)}{"id":2}]}`,
      match: { path: '/api/keys' },
    });
    const r = await runCli(['keys'], { env: emulatorEnv(emu), timeoutMs: 90_000 });
    expect(r.stderr).not.toMatch(/internal error|call stack|heap out of memory/i);
    expect(r.code).toBe(10);
    expect(r.stderr).toContain('[response.too-large]');
    expect(r.stderr).toContain('1,500,000 keys');
  }, 120_000);
});

describe('balance on a busy account', () => {
  it('1,000 charges in 7 days: the six usage pages asked together, with the balance (one round trip)', async () => {
    const now = Date.now();
    const span = 7 * 86_400_000 - 60_000;
    emu.state.usage = Array.from({ length: 1000 }, (_, i) => ({
      id: 1000 - i,
      model: 'gpt-4o',
      promptTokens: 1,
      completionTokens: 1,
      chargedAmount: 0.001,
      createdAt: new Date(now - 30_000 - Math.floor((i * span) / 1000)).toISOString(),
    }));
    emu.state.delayMs = 200;
    const r = await runCli(['balance', '--json'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(0);
    expect(r.json().runway).toMatchObject({ available: true, records: 300, pages: 6 });
    const usage = emu.requests.filter((q) => q.path.startsWith('/api/usage'));
    expect(usage.map((q) => q.path)).toEqual([0, 50, 100, 150, 200, 250].map((o) => `/api/usage?limit=50&offset=${o}`));
    // Together: every page, and the balance, asked before any of them was answered.
    const asked = emu.requests.filter((q) => q.path.startsWith('/api/usage') || q.path === '/api/balance');
    expect(asked).toHaveLength(7);
    const firstAnswer = Math.min(...asked.map((q) => q.finishedAt!));
    for (const q of asked) expect(q.startedAt).toBeLessThan(firstAnswer);
  });

  it('a quiet account: the same single round trip, the pages past the end answered empty and not counted', async () => {
    const now = Date.now();
    emu.state.usage = Array.from({ length: 10 }, (_, i) => ({
      id: 10 - i,
      model: 'gpt-4o',
      promptTokens: 1,
      completionTokens: 1,
      chargedAmount: 0.01,
      createdAt: new Date(now - 60_000 - i * 3_600_000).toISOString(),
    }));
    const r = await runCli(['balance', '--json'], { env: emulatorEnv(emu) });
    expect(r.code).toBe(0);
    expect(r.json().runway).toMatchObject({ available: true, records: 10, pages: 1, complete: true, spend24h: 0.1 });
  });

  it('the guard (--min 10 -q, --format value) asks no usage page at all', async () => {
    for (const args of [
      ['--min', '10', '-q'],
      ['--format', 'value'],
    ]) {
      emu.reset();
      const r = await runCli(['balance', ...args], { env: emulatorEnv(emu) });
      expect(r.code).toBe(0);
      expect(emu.requests.map((q) => q.path)).toEqual(['/api/balance']);
    }
  });
});
