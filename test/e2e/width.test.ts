/**
 * doctor's report laid out for the terminal's width (COLUMNS here; a terminal's own width when it is
 * one; 80 when unknown), as --help: no line of its output, stdout or stderr, is wider than the width
 * unless it is a single word; details wrap under their column instead of breaking mid-word.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, KEYS, PRESETS, type Emulator } from '../emulator/server.js';
import { emulatorEnv } from '../helpers/emulated.js';
import { runCli } from '../helpers/run-cli.js';
import { main } from '../../src/entry/cli.js';
import { emptyDir, flat } from '../helpers/run-cli.js';
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
    ['doctor --list-checks: the ids and what each needs', ['doctor', '--list-checks'], () => {}],
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

describe('the shared error path fits the width (60 and 80 columns)', () => {
  /** A config file with a setting apidoctor does not know: a long warning, listing the known ones. */
  const unknownSetting = () => {
    const dir = emptyDir();
    writeFileSync(join(dir, '.apidoctorrc.json'), JSON.stringify({ colour: 'always' }));
    return dir;
  };
  const CASES: Array<
    [string, string[], (e: Emulator) => void, { code: number; stdin?: string; cwd?: () => string; env?: Record<string, string> }, RegExp]
  > = [
    [
      'call: a 402 with its follow-up',
      ['call', '/v1/models'],
      (e) => {
        e.state.balance = 0;
        e.state.balanceStatus = 402;
      },
      { code: 5 },
      /\[balance\.insufficient\]/,
    ],
    [
      'call: a 429 after its retries',
      ['call', '/v1/models', '--retries', '1'],
      (e) => e.state.failures.push({ ...PRESETS.rateLimited, match: { path: '/v1/models' }, times: 5 }),
      { code: 6 },
      /\[rate\.limited\]/,
    ],
    [
      'keys: a billing key the account does not know',
      ['keys'],
      () => {},
      { code: 4, env: { MODELSWITCH_BILLING_KEY: KEYS.billingUnknown } },
      /\[auth\./,
    ],
    [
      'balance: a billing key the account does not know',
      ['balance'],
      () => {},
      { code: 4, env: { MODELSWITCH_BILLING_KEY: KEYS.billingUnknown } },
      /\[auth\./,
    ],
    [
      'a usage error with its hint',
      ['explain', '-'],
      () => {},
      { code: 2, stdin: '\u0000\u0001\u0002 binary \u0003'.repeat(20) },
      /binary data .* pass --status <n> to diagnose a binary body anyway/,
    ],
    [
      'an unknown flag',
      ['doctor', '--no-such-flag-at-all'],
      () => {},
      { code: 2 },
      /unknown option '--no-such-flag-at-all' Run apidoctor --help for usage\./,
    ],
    [
      'a warning (an unknown setting in the config file)',
      ['balance'],
      () => {},
      { code: 0, cwd: unknownSetting },
      /unknown setting "colour" ignored \(known: apiKey, billingKey/,
    ],
  ];
  for (const width of [60, 80]) {
    for (const [name, args, setup, opts, expected] of CASES) {
      it(`${width} columns, ${name}: no line wider, unless one word`, async () => {
        setup(emu);
        const r = await runCli(args, {
          env: emulatorEnv(emu, { COLUMNS: String(width), ...opts.env }),
          stdin: opts.stdin,
          cwd: opts.cwd?.(),
        });
        expect(r.code).toBe(opts.code);
        expect(r.stdout + r.stderr).not.toMatch(/internal error/);
        // What the user reads is there, whole (the phrase may span a wrap).
        expect(flat(r.stderr)).toMatch(expected);
        expect(r.stderr.split('\n').length).toBeGreaterThan(1);
        expect(tooWide(r.stdout, width)).toEqual([]);
        expect(tooWide(r.stderr, width)).toEqual([]);
      });
    }
  }

  it('a wrapped diagnosis has the words of the unwrapped one, each remedy continued under its own text', async () => {
    const run = (width: number) => {
      emu.state.balance = 0;
      emu.state.balanceStatus = 402;
      return runCli(['call', '/v1/models'], { env: emulatorEnv(emu, { COLUMNS: String(width) }) });
    };
    const narrow = await run(60);
    const wide = await run(300);
    expect(words(narrow.stderr)).toEqual(words(wide.stderr));
    expect(narrow.stderr.split('\n').length).toBeGreaterThan(wide.stderr.split('\n').length);
    const lines = narrow.stderr.split('\n');
    const item = lines.findIndex((l) => /^ {4}\d\. /.test(l) && lines[lines.indexOf(l) + 1]?.startsWith('       '));
    expect(item).toBeGreaterThan(0);
    expect(lines[item + 1]).toMatch(/^ {7}\S/);
  });

  it('a command to copy is not broken in its middle when it fits on a line', async () => {
    emu.state.balance = 0;
    emu.state.balanceStatus = 402;
    const r = await runCli(['call', '/v1/models'], { env: emulatorEnv(emu, { COLUMNS: '60' }) });
    // The remedy "Guard scripts and CI: apidoctor balance --min 5 exits 5 when …": the command on one line.
    expect(flat(r.stderr)).toMatch(/Guard scripts and CI: apidoctor balance --min 5 exits 5/);
    expect(r.stderr.split('\n').some((l) => l.includes('apidoctor balance --min 5'))).toBe(true);
  });

  it('the width unknown (no terminal, no COLUMNS): 80', async () => {
    emu.state.balance = 0;
    emu.state.balanceStatus = 402;
    const r = await runCli(['call', '/v1/models'], { env: emulatorEnv(emu, { COLUMNS: undefined }) });
    expect(tooWide(r.stderr, 80)).toEqual([]);
    expect(r.stderr.split('\n').some((l) => [...l].length > 70)).toBe(true);
  });
});

describe('a log of several causes fits the width', () => {
  const LOG = [
    'INFO start',
    'ERROR 429 {"error":{"message":"Rate limit exceeded for this organization on requests per minute, please slow down","type":"rate_limit_error"}}',
    'ERROR 429 {"error":{"message":"Rate limit exceeded"}}',
    '2024-05-01 12:00:03 ERROR 402 {"error":{"message":"Insufficient balance, please top up your account","code":"insufficient_balance"}}',
    '2024-05-01 12:59:58 ERROR 402 {"error":{"message":"Insufficient balance, please top up your account","code":"insufficient_balance"}}',
    '',
  ].join('\n');
  for (const width of [40, 60, 80, 120]) {
    it(`${width} columns: the table, its e.g. lines (cut with …) and the diagnosis, no line wider`, async () => {
      const r = await runCli(['explain', '-'], { env: { COLUMNS: String(width) }, stdin: LOG });
      expect(r.stdout).toMatch(/rate\.limited/);
      expect(r.stdout).toMatch(/balance\.insufficient/);
      const examples = r.stdout.split('\n').filter((l) => l.trimStart().startsWith('e.g.'));
      expect(examples.length).toBe(2);
      // The example is cut at the width, with "…", not wrapped: one line each.
      for (const e of examples) expect([...e].length).toBeLessThanOrEqual(width);
      if (width < 120) expect(examples.some((e) => e.endsWith('…'))).toBe(true);
      expect(tooWide(r.stdout, width)).toEqual([]);
      expect(tooWide(r.stderr, width)).toEqual([]);
    });
  }

  it('120 columns use the room: the examples are longer than at 80', async () => {
    const at = async (width: number) =>
      (await runCli(['explain', '-'], { env: { COLUMNS: String(width) }, stdin: LOG })).stdout.split('\n').find((l) => l.includes('e.g.'))!;
    expect((await at(120)).length).toBeGreaterThan((await at(80)).length);
  });
});

describe('--help: the exit codes as a two-column list', () => {
  for (const width of [60, 80, 120]) {
    it(`${width} columns: one code a line, its meaning wrapped under its own column`, async () => {
      const r = await runCli(['--help'], { env: { COLUMNS: String(width) } });
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      const start = lines.indexOf('Exit codes:');
      expect(start).toBeGreaterThan(0);
      const block = lines.slice(start + 1, lines.indexOf('', start));
      const codes = block.filter((l) => /^ {2}\d/.test(l)).map((l) => Number(l.trim().split(' ')[0]));
      expect(codes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 130]);
      // Each meaning starts in one column; a continuation line starts in that column too.
      const col = block[0]!.indexOf('ok');
      for (const l of block) expect(l.slice(0, col).trim() === '' || /^ {2}\d+ +$/.test(l.slice(0, col))).toBe(true);
      for (const l of block) expect(l[col]).toMatch(/\S/);
      expect(flat(block.join('\n'))).toMatch(/5 balance: insufficient balance, spend limit reached, below --min/);
      expect(tooWide(r.stdout, width)).toEqual([]);
    });
  }
});

describe('--help: the examples stay aligned', () => {
  for (const width of [40, 60, 80, 120]) {
    it(`${width} columns: every example's note starts in the same column`, async () => {
      const r = await runCli(['--help'], { env: { COLUMNS: String(width) } });
      const lines = r.stdout.split('\n');
      const start = lines.indexOf('Examples:');
      const starts: number[] = [];
      for (let i = start + 1; i < lines.length && lines[i]!.trim(); i++) {
        const l = lines[i]!;
        if (!l.startsWith('  apidoctor ')) continue;
        // The note on the same line (after two spaces or more), or on the next line.
        const same = /^( {2}\S.*?\S {2,})\S/.exec(l);
        starts.push(same ? same[1]!.length : lines[i + 1]!.length - lines[i + 1]!.trimStart().length);
      }
      expect(starts).toHaveLength(4);
      expect(new Set(starts).size).toBe(1);
      expect(tooWide(r.stdout, width)).toEqual([]);
    });
  }
});
