import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// bin/apidoctor.js answers `--version` and `--help` alone from dist/fast.json without loading the CLI.
// These tests prove that what it prints is exactly what commander prints through dist/run.cjs, for a
// pipe and for terminals of any width.

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/apidoctor.js');
const RUN = join(ROOT, 'dist/run.cjs');

const scratch = mkdtempSync(join(tmpdir(), 'apidoctor-fast-'));
/**
 * A preload that makes stdout look like a terminal of FAKE_COLUMNS columns: a character device (what
 * the launcher checks first) whose stream says isTTY and has that many columns (all commander looks at).
 */
const FAKE_TTY = join(scratch, 'fake-tty.cjs');
writeFileSync(
  FAKE_TTY,
  "const fs = require('node:fs');\n" +
    'const fstatSync = fs.fstatSync;\n' +
    'fs.fstatSync = (fd, ...rest) => { const st = fstatSync(fd, ...rest); if (fd === 1) st.isCharacterDevice = () => true; return st; };\n' +
    "const w = process.env.FAKE_COLUMNS === 'undefined' ? undefined : Number(process.env.FAKE_COLUMNS);\n" +
    "Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });\n" +
    "Object.defineProperty(process.stdout, 'columns', { value: w, configurable: true });\n",
);

function node(script: string, args: string[], columns?: number | 'undefined') {
  const pre = columns === undefined ? [] : ['--require', FAKE_TTY];
  const r = spawnSync(process.execPath, [...pre, script, ...args], {
    cwd: scratch,
    env: { PATH: process.env.PATH ?? '', HOME: scratch, FAKE_COLUMNS: String(columns), NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('fast --version and --help', () => {
  it.each(['--version', '-V', '--help', '-h'])('%s on a pipe is exactly what commander prints', (flag) => {
    const fast = node(BIN, [flag]);
    const full = node(RUN, [flag]);
    expect(full.code).toBe(0);
    expect(full.stdout.length).toBeGreaterThan(0);
    expect(fast).toEqual(full);
  });

  it.each([1, 39, 40, 45, 60, 79, 80, 81, 100, 120, 137, 138, 200, 300, 'undefined' as const])(
    '--help on a terminal of %s columns is exactly what commander prints',
    (columns) => {
      const fast = node(BIN, ['--help'], columns);
      const full = node(RUN, ['--help'], columns);
      expect(full.code).toBe(0);
      expect(fast).toEqual(full);
    },
  );

  it('answers without loading the CLI (a copy of bin/ with only dist/fast.json beside it)', () => {
    const root = join(scratch, 'copy');
    mkdirSync(join(root, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'dist/fast.json'), join(root, 'dist/fast.json'));
    const bin = join(root, 'bin/apidoctor.js');
    expect(node(bin, ['--version'])).toEqual(node(RUN, ['--version']));
    expect(node(bin, ['--help'], 80)).toEqual(node(RUN, ['--help'], 80));
    // Anything else needs the CLI: here it is missing, which gets the one-line broken-install message.
    const other = node(bin, ['--help', 'doctor']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^✗ apidoctor could not start/);
  });

  it('falls back to commander for a terminal wider than the precomputed widths', () => {
    const fast = node(BIN, ['--help'], 500);
    expect(fast).toEqual(node(RUN, ['--help'], 500));
    expect(fast.code).toBe(0);
  });

  it('leaves every other command line to the CLI', () => {
    expect(node(BIN, ['--version', '--json'])).toEqual(node(RUN, ['--version', '--json']));
    expect(node(BIN, ['help'])).toEqual(node(RUN, ['help']));
    expect(node(BIN, ['--bogus']).code).toBe(2);
  });
});
