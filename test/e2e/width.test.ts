/**
 * doctor's report laid out for the terminal's width (COLUMNS here; a terminal's own width when it is
 * one; 80 when unknown), as --help: no line of its output, stdout or stderr, is wider than the width
 * unless it is a single word; details wrap under their column instead of breaking mid-word.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { emulatorEnv } from '../helpers/emulated.js';
import { runCli } from '../helpers/run-cli.js';
import { main } from '../../src/entry/cli.js';
import { emptyDir } from '../helpers/run-cli.js';
import { CHECKS } from '../../src/checks/table.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

/** Lines wider than `width` that are more than one word (code points: every symbol used is one column). */
function tooWide(text: string, width: number): string[] {
  return text.split('\n').filter((l) => [...l].length > width && l.trim().includes(' '));
}

const SCENARIOS: Array<[string, Record<string, string | undefined>]> = [
  ['healthy', {}],
  ['an invalid proxy key and no billing key', { MODELSWITCH_API_KEY: KEYS.proxyUnknown, MODELSWITCH_BILLING_KEY: undefined }],
  ['a small balance (a long warning)', {}],
];

describe('doctor fits the width', () => {
  for (const width of [40, 60, 80, 120]) {
    for (const [name, extra] of SCENARIOS) {
      it(`${width} columns, ${name}: no line wider, unless one word`, async () => {
        if (name.startsWith('a small balance')) emu.state.balance = 2;
        const r = await runCli(['doctor'], { env: emulatorEnv(emu, { COLUMNS: String(width), ...extra }) });
        expect(r.stdout).toMatch(/passed/);
        expect(tooWide(r.stdout, width)).toEqual([]);
        expect(tooWide(r.stderr, width)).toEqual([]);
        // Every check still has its line, its symbol first.
        expect(r.stdout.split('\n').filter((l) => /^[✓!✗-] \S/.test(l)).length).toBe(CHECKS.filter((c) => c.byDefault !== false).length);
      });
    }
  }

  it('a detail that does not fit continues under its own column, never mid-word', async () => {
    emu.state.balance = 2;
    const r = await runCli(['doctor'], { env: emulatorEnv(emu, { COLUMNS: '80' }) });
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => /^! Balance/.test(l));
    const col = lines[at]!.indexOf('2.00 USD');
    expect(col).toBeGreaterThan(10);
    // The next line is the rest of the detail, starting in the same column.
    expect(lines[at + 1]!.slice(0, col).trim()).toBe('');
    expect(lines[at + 1]![col]).toMatch(/\S/);
    // Joined back, the words are whole.
    const joined = [lines[at]!.slice(col), ...lines.slice(at + 1).filter((l, i, a) => a.slice(0, i + 1).every((x) => x.slice(0, col).trim() === '')).map((l) => l.slice(col))].join(' ');
    expect(joined).toContain('ModelSwitch places a hold for each request');
  });

  it('120 columns use the room: a detail that fits is one line, and the report is shorter than at 80', async () => {
    const wide = await runCli(['doctor'], { env: emulatorEnv(emu, { COLUMNS: '120' }) });
    const narrow = await runCli(['doctor'], { env: emulatorEnv(emu, { COLUMNS: '80' }) });
    const record = wide.stdout.split('\n').findIndex((l) => l.startsWith("✓ Proxy key's record"));
    expect(wide.stdout.split('\n')[record]).toMatch(/is active, expires in \d+ days/);
    expect(wide.stdout.split('\n')[record + 1]).toMatch(/^[✓!✗-] /);
    expect(wide.stdout.split('\n').length).toBeLessThan(narrow.stdout.split('\n').length);
  });

  it('the width unknown (no terminal, no COLUMNS): 80', async () => {
    emu.state.balance = 2;
    const r = await runCli(['doctor'], { env: emulatorEnv(emu, { COLUMNS: undefined }) });
    expect(tooWide(r.stdout + r.stderr, 80)).toEqual([]);
    expect(r.stdout.split('\n').some((l) => [...l].length > 70)).toBe(true);
  });

  it("a terminal's own width wins over COLUMNS", async () => {
    let out = '';
    const code = await main(['doctor'], {
      env: { ...emulatorEnv(emu), COLUMNS: '200', NO_COLOR: '1', CI: '1' } as NodeJS.ProcessEnv,
      cwd: emptyDir(),
      stdout: { write: (s: string) => (out += s), isTTY: true, columns: 50 },
      stderr: { write: () => true, isTTY: true, columns: 50 },
    });
    expect(code).toBe(0);
    expect(tooWide(out, 50)).toEqual([]);
  });
});
