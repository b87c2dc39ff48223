/**
 * The option table (src/config/options.ts) is the one source of apidoctor's options: commander's options,
 * the argv pre-scan, help and the README's tables are made from it. These tests fail when one of them
 * drifts from it: the README (run `npm run readme:options`), a command's help, the --format values a
 * command accepts, or the pre-scan that finds the command word.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, OPTIONS, longName, optionsOf, takesValue, type OptionScope } from '../../src/config/options.js';
import { SETTINGS } from '../../src/config/settings.js';
import { commandName } from '../../src/entry/argv.js';
import { main } from '../../src/entry/cli.js';
import { renderReadme, readmeSections } from '../../scripts/readme-options.js';
import { emptyDir } from '../helpers/run-cli.js';

const README = readFileSync(join(resolve(import.meta.dirname, '../..'), 'README.md'), 'utf8');

/** Runs the CLI in-process with no network and no config; stdout, stderr and the exit code. */
async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env: { NO_COLOR: '1', CI: '1', APIDOCTOR_TIMEOUT: '2000', MODELSWITCH_BASE_URL: 'http://127.0.0.1:9' },
    cwd: emptyDir(),
    stdout: { write: (s: string) => ((stdout += s), true), isTTY: false },
    stderr: { write: (s: string) => ((stderr += s), true), isTTY: false },
  });
  return { code, stdout, stderr };
}

const HELP_OF: Record<Exclude<OptionScope, 'global'>, string[]> = {
  doctor: ['doctor'],
  balance: ['balance'],
  call: ['call'],
  explain: ['explain'],
  'keys list': ['keys', 'list'],
  'keys create': ['keys', 'create'],
  'keys rotate': ['keys', 'rotate'],
  'keys change': ['keys', 'deactivate'],
};

describe('the README', () => {
  it('holds the option tables exactly as the option table makes them (else: npm run readme:options)', () => {
    const sections = readmeSections();
    for (const [name, body] of Object.entries(sections))
      expect(README, `README section options:${name}`).toContain(`<!-- options:${name} -->\n${body}\n<!-- /options:${name} -->`);
    expect(renderReadme(README)).toBe(README);
  });

  it('lists every command, every global option and every setting with its env var', () => {
    for (const [name, summary] of Object.entries(COMMANDS)) expect(README).toContain(`  ${name.padEnd(11)}${summary}`);
    for (const o of optionsOf('global')) expect(README).toContain(`| \`${o.flags}\` |`);
    for (const s of SETTINGS) expect(README).toMatch(new RegExp(`\\| \`${s.flag} <\\w+>\` \\| \`${s.env}\` \\| \`${s.name}\` \\|`));
  });
});

describe('help', () => {
  it('apidoctor --help lists each command with its summary and each global option', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const summary of Object.values(COMMANDS)) expect(help).toContain(summary);
    for (const o of optionsOf('global')) expect(help).toContain(` ${o.flags} `);
  });

  it.each(Object.entries(HELP_OF))(
    '%s --help lists exactly the options of the table, and never "(default: [])" or a quoted default',
    async (scope, argv) => {
      const r = await cli([...argv, '--help']);
      expect(r.code).toBe(0);
      const local = r.stdout.split(/^Global Options:$/m)[0]!;
      const listed = [...local.matchAll(/^ {2}(-[^\s,]+(?:, --[\w-]+)?(?: <[^>]+>)?)/gm)]
        .map((m) => m[1]!)
        .filter((f) => f !== '-h, --help');
      expect(listed).toEqual(optionsOf(scope as OptionScope).map((o) => o.flags));
      expect(r.stdout).not.toMatch(/\(default: (\[\]|")/);
    },
  );
});

describe('--format', () => {
  it.each([
    ['doctor', ['doctor']],
    ['balance', ['balance']],
    ['keys list', ['keys', 'list']],
    ['explain', ['explain']],
  ] as const)('%s accepts exactly the values the table lists', async (scope, argv) => {
    const spec = optionsOf(scope).find((o) => longName(o) === 'format')!;
    expect(spec.values!.length).toBeGreaterThan(1);
    const r = await cli([
      ...argv,
      '--format',
      'nope',
      '--api-key',
      'ms-0123456789abcdef0123456789abcdef',
      '--billing-key',
      'mk-0123456789abcdef0123456789abcdef',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--format: expected one of ${spec.values!.join(', ')}, got "nope"`);
  });
});

describe('the argv pre-scan', () => {
  it.each(
    optionsOf('global')
      .filter(takesValue)
      .map((o) => `--${longName(o)}`),
  )('skips the value of %s when it looks for the command', (flag) => {
    expect(commandName([flag, 'doctor', 'balance'])).toBe('balance');
  });

  it('takes the first word when flags take no value', () => {
    for (const o of optionsOf('global').filter((x) => !takesValue(x))) expect(commandName([`--${longName(o)}`, 'doctor'])).toBe('doctor');
  });

  it('every option in the table has a unique flag within each scope', () => {
    const scopes = new Set(OPTIONS.flatMap((o) => o.scopes));
    for (const s of scopes) {
      const names = optionsOf(s).map(longName);
      expect(new Set(names).size, `scope ${s}`).toBe(names.length);
    }
  });
});
