/**
 * Laying text out for the terminal's width (src/render/layout.ts): wrapped at spaces under its indentation,
 * a command to copy kept on one line where it fits, and one wider than a line continued as a shell continues it.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fitToWidth, wrapWords } from '../../src/render/layout.js';

/** The words a POSIX shell reads from a pasted text. */
function shellWords(text: string): string[] {
  const r = spawnSync('sh', ['-c', `for w in ${text}; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
  return r.stdout.split('\0').slice(0, -1);
}

describe('wrapWords and fitToWidth', () => {
  it('a command that fits on a line moves to the next one whole, not broken in its middle', () => {
    const lines = wrapWords('Guard scripts and CI: apidoctor balance --min 5 exits 5 when the balance is below 5 USD', 40);
    expect(lines.some((l) => l.includes('apidoctor balance --min 5'))).toBe(true);
    expect(lines.every((l) => l.length <= 40)).toBe(true);
  });

  it('the prose after a command is not part of it: "exits 5 when …" wraps as words', () => {
    const lines = wrapWords('Guard: apidoctor balance --min 5 exits 5 when the balance is below 5 USD', 34);
    expect(lines[0]).toBe('Guard: apidoctor balance --min 5');
    expect(lines.join(' ')).toBe('Guard: apidoctor balance --min 5 exits 5 when the balance is below 5 USD');
  });

  it('a command wider than a line ends each line but its last with " \\", and the shell reads it as given', () => {
    const cmd = "apidoctor --base-url http://127.0.0.1:8080 keys rotate 1 --name 'it'\\''s new' --expires 2099-01-31 --yes";
    const text = fitToWidth(`  Confirm with --yes: ${cmd}`, 44);
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(44);
    const copied = text.slice(text.indexOf('apidoctor'));
    expect(
      copied
        .split('\n')
        .slice(0, -1)
        .every((l) => l.endsWith(' \\')),
    ).toBe(true);
    // The quoted name is never split over a line: a pasted line break inside it would change the name.
    expect(lines.some((l) => l.includes("'it'\\''s new'"))).toBe(true);
    expect(shellWords(copied)).toEqual(shellWords(cmd));
    expect(shellWords(copied)).toContain("it's new");
  });

  it('a placeholder of several words stays whole: <new name>', () => {
    const lines = wrapWords('Rotate it now: apidoctor keys rotate <key-id> --name <new name> creates the replacement', 30);
    expect(lines.some((l) => l.includes('<new name>'))).toBe(true);
  });

  it('a URL wider than the width stands alone on its line, unbroken', () => {
    const url = 'https://docs.modelswitch.io/billing/a-very-long-page-name-that-does-not-fit';
    expect(fitToWidth(`  Docs: ${url}`, 40).split('\n')).toEqual(['  Docs:', `  ${url}`]);
  });

  it('a list item continues under its text; a line that fits is untouched', () => {
    expect(fitToWidth('    1. Top up in Dashboard → Billing → Top up if it is at or near 0', 40)).toBe(
      '    1. Top up in Dashboard → Billing →\n       Top up if it is at or near 0',
    );
    expect(fitToWidth('  short line', 40)).toBe('  short line');
  });

  it('a control character counts as the escape the output layer shows', () => {
    const text = fitToWidth(`x ${'\u009b'.repeat(10)} y`, 20);
    expect(text).toContain('\\x9b');
    for (const l of text.split('\n')) expect(l.length <= 20 || !l.trim().includes(' ')).toBe(true);
  });
});
