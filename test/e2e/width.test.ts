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
    const joined = [
      lines[at]!.slice(col),
      ...lines
        .slice(at + 1)
        .filter((l, i, a) => a.slice(0, i + 1).every((x) => x.slice(0, col).trim() === ''))
        .map((l) => l.slice(col)),
    ].join(' ');
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

/** The words of a text, in order: what wrapping must keep (no word broken, none lost). */
const words = (text: string) => text.split(/\s+/).filter(Boolean);

describe('every command fits the width (60 and 80 columns)', () => {
  const SAMPLE =
    '{"error":{"message":"Insufficient balance, please top up your account to continue","type":"insufficient_quota","code":"insufficient_balance"}}';
  const CASES: Array<[string, string[], (e: Emulator) => void, string?]> = [
    ['explain: a diagnosis', ['explain', '-', '--status', '402'], () => {}, SAMPLE],
    ['keys: the table', ['keys'], () => {}],
    ['keys show: the details', ['keys', 'show', '1'], () => {}],
    ['keys --expiring-within 400: the expiring keys', ['keys', '--expiring-within', '400'], () => {}],
    ['balance: the balance, spend and runway', ['balance'], () => {}],
  ];
  for (const width of [60, 80]) {
    for (const [name, args, setup, stdin] of CASES) {
      it(`${width} columns, ${name}: no line wider, unless one word`, async () => {
        setup(emu);
        const r = await runCli(args, { env: emulatorEnv(emu, { COLUMNS: String(width) }), stdin });
        expect(r.stdout + r.stderr).not.toMatch(/internal error/);
        expect(tooWide(r.stdout, width)).toEqual([]);
        expect(tooWide(r.stderr, width)).toEqual([]);
      });
    }
    for (const help of [[], ['doctor'], ['balance'], ['keys'], ['keys', 'create'], ['keys', 'rotate'], ['call'], ['explain']]) {
      it(`${width} columns, apidoctor ${help.join(' ')} --help: no line wider, and the same words as at 200 columns`, async () => {
        const r = await runCli([...help, '--help'], { env: { COLUMNS: String(width) } });
        const wide = await runCli([...help, '--help'], { env: { COLUMNS: '200' } });
        expect(r.code).toBe(0);
        expect(tooWide(r.stdout, width)).toEqual([]);
        // Wrapped at spaces, never inside a word.
        expect(words(r.stdout)).toEqual(words(wide.stdout));
      });
    }
  }

  it('a log of several causes: the most frequent cause’s diagnosis fits 80 columns, with the words of the unwrapped one', async () => {
    const log = `INFO start\nERROR 429 {"error":{"message":"Rate limit exceeded","type":"rate_limit_error"}}\nERROR 429 {"error":{"message":"Rate limit exceeded"}}\nERROR 402 ${SAMPLE}\n`;
    const narrow = await runCli(['explain', '-'], { env: { COLUMNS: '80' }, stdin: log });
    const wide = await runCli(['explain', '-'], { env: { COLUMNS: '300' }, stdin: log });
    expect(narrow.stderr).toMatch(/\[rate\.limited\]/);
    expect(tooWide(narrow.stderr, 80)).toEqual([]);
    expect(words(narrow.stderr)).toEqual(words(wide.stderr));
  });

  it('the diagnosis wraps at spaces: its words are those of the unwrapped one', async () => {
    const narrow = await runCli(['explain', '-', '--status', '402'], { env: { COLUMNS: '60' }, stdin: SAMPLE });
    const wide = await runCli(['explain', '-', '--status', '402'], { env: { COLUMNS: '300' }, stdin: SAMPLE });
    expect(narrow.stdout + narrow.stderr).toMatch(/balance\.insufficient/);
    expect(words(narrow.stdout + narrow.stderr)).toEqual(words(wide.stdout + wide.stderr));
    expect((narrow.stdout + narrow.stderr).split('\n').length).toBeGreaterThan((wide.stdout + wide.stderr).split('\n').length);
  });

  it('the key table at 60 columns: a row per key, CREATED left out; at 80 every column', async () => {
    const narrow = await runCli(['keys'], { env: emulatorEnv(emu, { COLUMNS: '60' }) });
    const wide = await runCli(['keys'], { env: emulatorEnv(emu, { COLUMNS: '80' }) });
    expect(narrow.code).toBe(0);
    const head = (s: string) => s.split('\n')[0]!;
    expect(head(wide.stdout)).toMatch(/ID\s+NAME\s+PREFIX\s+STATUS\s+CREATED\s+EXPIRES\s+DAYS LEFT/);
    // At 60 columns: a table still when the rows fit without CREATED, else a wrapped line per key.
    const rows = narrow.stdout.split('\n').filter((l) => /^[* -] ?#?\d|^\*?\s+\d+\s/.test(l));
    expect(rows.length).toBe(wide.stdout.split('\n').filter((l) => /^\*?\s+\d+\s/.test(l)).length);
    expect(narrow.stdout).not.toMatch(/CREATED/);
    for (const prefix of wide.stdout.match(/ms-\S+/g)!) expect(narrow.stdout).toContain(prefix);
  });

  it('balance at 60 columns: the spend line continues under its value column', async () => {
    const r = await runCli(['balance'], { env: emulatorEnv(emu, { COLUMNS: '60' }) });
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('Spend'));
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^ {10}\S/);
    expect(words(lines.slice(at, at + 2).join(' '))).toEqual(expect.arrayContaining(['in', 'the', 'last', '7', 'days']));
  });
});
