/**
 * A closed pipe never changes the exit code (`apidoctor doctor … 2>&1 | head -1`), and two output
 * formats that disagree are a usage error naming both.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, emptyDir, runCli } from '../helpers/run-cli.js';

/** Runs the CLI with its stdout and stderr read ends closed before it writes anything: every write gets EPIPE. */
function runWithClosedPipes(args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: emptyDir(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    child.stderr.destroy();
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve(code);
    });
  });
}

describe('a closed pipe', () => {
  it('keeps the exit code of the run: a bad base URL is still 3 (config), not 1', async () => {
    expect(await runWithClosedPipes(['doctor', '--base-url', 'ftp://x'])).toBe(3);
  });
  it('keeps 2 for a usage error whose message goes to a closed stderr', async () => {
    expect(await runWithClosedPipes(['doctor', '--no-such-flag'])).toBe(2);
  });
});

describe('output formats that disagree', () => {
  const cases: Array<[string[], string[]]> = [
    [
      ['doctor', '--json', '--format', 'junit'],
      ['--json', '--format junit'],
    ],
    [
      ['doctor', '--format', 'github', '--json'],
      ['--format github', '--json'],
    ],
    [
      ['balance', '--json', '--format=value'],
      ['--json', '--format=value'],
    ],
    [
      ['doctor', '--format', 'junit', '--format', 'github'],
      ['--format junit', '--format github'],
    ],
  ];
  for (const [args, named] of cases) {
    it(`${args.join(' ')}: exit 2 naming both flags`, async () => {
      const r = await runCli([...args, '--base-url', 'http://127.0.0.1:9']);
      expect(r.code).toBe(2);
      const text = r.stdout + r.stderr;
      for (const n of named) expect(text).toContain(n);
      expect(text).toMatch(/two different output formats/);
    });
  }
  it('--json --format json agree: no error', async () => {
    const r = await runCli(['balance', '--json', '--format', 'json', '--base-url', 'ftp://x']);
    expect(r.code).toBe(3);
    expect(r.json().exitReason).toBe('config');
  });
});
