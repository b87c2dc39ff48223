/**
 * `explain --follow`, as a user runs it: on a real pipe from a running program, and on a real file
 * that grows, is rotated (renamed, a new one created) and truncated; a line per new error as it
 * arrives, repeats counted; the grouped summary at the end of the pipe, or on Ctrl-C (exit 130).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, emptyDir } from '../helpers/run-cli.js';

const RATE = JSON.stringify({ error: { message: 'Rate limit exceeded', type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
const AUTH = JSON.stringify({ error: { message: 'Invalid API key', type: 'authentication_error', code: 'invalid_api_key' } });
const QUOTA = JSON.stringify({
  error: { message: 'Account balance is insufficient', type: 'invalid_request_error', code: 'insufficient_balance' },
});

interface Live {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(cmd: string, args: string[], cwd: string): Live {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NO_COLOR: '1' };
  const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<number> {
  const t = performance.now();
  while (!cond()) {
    if (performance.now() - t > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t;
}

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

const cli = (args: string[], cwd: string) => start(process.execPath, [BIN, 'explain', '--follow', ...args], cwd);

describe('explain --follow on a pipe', () => {
  it('a line as each error arrives from a running program (node app.js 2>&1 | apidoctor explain --follow -), the summary at EOF', async () => {
    const dir = emptyDir();
    // the "app": writes a line every 300 ms, errors on stderr, then exits
    writeFileSync(
      join(dir, 'app.js'),
      `const lines = [${JSON.stringify('2024-05-01T08:00:00Z INFO listening')}, ${JSON.stringify(RATE)}, ${JSON.stringify(AUTH)}, ${JSON.stringify(RATE)}];
let i = 0;
const t = setInterval(() => { const l = lines[i++]; if (l === undefined) { clearInterval(t); return; } (i === 1 ? process.stdout : process.stderr).write(l + '\\n'); }, 300);`,
    );
    const live = start('sh', ['-c', `"${process.execPath}" app.js 2>&1 | "${process.execPath}" "${BIN}" explain --follow -`], dir);
    await until(() => /rate\.limited/.test(live.stdout()), 'the first error line');
    // shown while the app still runs: the next error has not been written yet
    expect(live.stdout()).not.toMatch(/auth\.invalid-key/);
    const ex = await live.exited;
    expect(ex.code).toBe(6); // rate.limited ×2 is the first group
    const out = live.stdout();
    expect(out).toMatch(/^line 2 ✗ rate\.limited {2}Too many requests \(429\)/m);
    expect(out).toMatch(/^line 3 ✗ auth\.invalid-key {2}The API key was rejected/m);
    expect(count(out, /^line \d+ ✗ rate\.limited {2}/gm)).toBe(1); // the repeat is counted, not shown again
    expect(out).toMatch(
      /✗ 3 errors in 4 lines, 2 causes\n[\s\S]*\n\s+2 {2}rate\.limited\s+lines 2–4\n[\s\S]*\n\s+1 {2}auth\.invalid-key\s+line 3\n/,
    );
    expect(live.stderr()).toMatch(/\[rate\.limited\]/);
  });

  it('each error line as it arrives (before the next is written); a repeat shown again only at ×10, ×100; --json: a JSON line an error, the summary last', async () => {
    const live = cli(['-', '--json'], emptyDir());
    const waits: number[] = [];
    for (let i = 1; i <= 3; i++) {
      live.child.stdin.write(`${RATE}\n`);
      waits.push(await until(() => count(live.stdout(), /"event":"error"/g) === i, `error ${i}`));
    }
    for (const w of waits) expect(w).toBeLessThan(5000); // the 100 ms promise is a bench row; this bounds a stall
    live.child.stdin.end(`${QUOTA}\n`);
    const ex = await live.exited;
    expect(ex.code).toBe(6);
    const docs = live
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs).toHaveLength(5);
    expect(docs.slice(0, 4).map((d) => [d.event, d.n, d.id, d.count, d.line])).toEqual([
      ['error', 1, 'rate.limited', 1, 1],
      ['error', 2, 'rate.limited', 2, 2],
      ['error', 3, 'rate.limited', 3, 3],
      ['error', 4, 'balance.insufficient', 1, 4],
    ]);
    expect(docs[4]).toMatchObject({
      schemaVersion: 1,
      command: 'explain',
      exitCode: 6,
      exitReason: 'rate_limit',
      errors: 4,
      groups: [
        { id: 'rate.limited', count: 3 },
        { id: 'balance.insufficient', count: 1 },
      ],
    });

    const text = cli(['-'], emptyDir());
    text.child.stdin.end(`${AUTH}\n`.repeat(120));
    await text.exited;
    expect(
      text
        .stdout()
        .split('\n')
        .filter((l) => /auth\.invalid-key/.test(l) && /^line/.test(l)),
    ).toEqual([
      expect.stringMatching(/^line 1 ✗ auth\.invalid-key {2}The API key was rejected/),
      'line 10 ✗ auth.invalid-key ×10 (since line 1)',
      'line 100 ✗ auth.invalid-key ×100 (since line 1)',
    ]);
  });

  it('Ctrl-C on an open pipe: the summary of what arrived, exit 130; with --json the summary document says interrupted', async () => {
    for (const json of [false, true]) {
      const live = cli(['-', ...(json ? ['--json'] : [])], emptyDir());
      live.child.stdin.write(`${RATE}\n${AUTH}\n${RATE}\n`);
      await until(() => count(live.stdout(), json ? /"event":"error"/g : /^line \d/gm) >= (json ? 3 : 2), 'the errors');
      const sent = performance.now();
      live.child.kill('SIGINT');
      const ex = await live.exited;
      expect(ex.code).toBe(130);
      expect(performance.now() - sent).toBeLessThan(5000);
      if (json) {
        const last = JSON.parse(live.stdout().trim().split('\n').at(-1)!);
        expect(last).toMatchObject({
          command: 'explain',
          ok: false,
          exitCode: 130,
          exitReason: 'interrupted',
          errors: 3,
          groups: [
            { id: 'rate.limited', count: 2 },
            { id: 'auth.invalid-key', count: 1 },
          ],
        });
        expect(last.diagnoses.map((d: { id: string }) => d.id)).toEqual(['rate.limited', 'auth.invalid-key']);
      } else {
        expect(live.stdout()).toMatch(/✗ 3 errors in 3 lines, 2 causes \(interrupted: what was read so far\)/);
        expect(live.stderr()).toMatch(/\[rate\.limited\]/);
      }
    }
  });
});

describe('explain --follow on a file, as tail -F', () => {
  it('a growing file, then rotated (renamed, a new one), then truncated: every error, then Ctrl-C gives the summary and exit 130', async () => {
    const dir = emptyDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, `2024-05-01T08:00:00Z INFO start\n${AUTH}\n`);
    const live = cli(['app.log'], dir);
    await until(() => /auth\.invalid-key/.test(live.stdout()), 'the error already in the file');

    appendFileSync(log, `2024-05-01T08:00:01Z INFO next\n${RATE}\n`);
    const grown = await until(() => /rate\.limited/.test(live.stdout()), 'the appended error');
    expect(grown).toBeLessThan(5000);

    renameSync(log, join(dir, 'app.log.1'));
    writeFileSync(log, `${QUOTA}\n`);
    await until(() => /balance\.insufficient/.test(live.stdout()), 'the error in the new file');
    expect(live.stderr()).toMatch(/app\.log was replaced \(rotated\): following the new file from its start/);

    truncateSync(log, 0);
    // Noticed before anything is written again (a busy machine may not poll within a fixed wait).
    await until(() => /truncated/.test(live.stderr()), 'the truncation');
    appendFileSync(log, `${QUOTA}\n${QUOTA}\n`);
    // written after the truncation, at offsets the old file had already been read to: still read
    // (repeats print nothing until ×10, so give the poller, every 25 ms, ample time)
    await new Promise((r) => setTimeout(r, 1000));

    live.child.kill('SIGINT');
    const ex = await live.exited;
    expect(ex.code).toBe(130);
    expect(live.stdout()).toMatch(/✗ 5 errors in 7 lines, 3 causes \(interrupted: what was read so far\)/);
    expect(live.stdout()).toMatch(/\n\s+3 {2}balance\.insufficient /);
    expect(live.stderr()).toMatch(/app\.log was truncated: reading it again from its start/);
    expect(live.stderr()).not.toMatch(/internal error|^\s+at /m);
  });

  it('a file that does not exist: exit 2 naming it', async () => {
    const live = cli(['no-such.log'], emptyDir());
    const ex = await live.exited;
    expect(ex.code).toBe(2);
    expect(live.stderr()).toMatch(/no-such\.log \(no such file\)/);
  });
});
