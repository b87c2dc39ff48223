/**
 * The README's option tables, made from the option table (src/config/options.ts): the command list, the
 * common options, each command's options and the configuration table. `npm run readme:options` writes
 * them between their markers in README.md; test/unit/options.test.ts fails when the README differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMANDS, OPTIONS, defaultShown, helpText, optionsOf, type OptionSpec } from '../src/config/options.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** A table cell: pipes escaped, so that a description may hold them. */
const cell = (s: string): string => s.replace(/\|/g, '\\|');
const flags = (o: OptionSpec): string => `\`${o.flags}\``;

/** Each generated section by marker name, as the README holds it between `<!-- options:NAME -->` and `<!-- /options:NAME -->`. */
export function readmeSections(): Record<string, string> {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 4;
  const commands = [
    '```',
    'apidoctor <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([n, s]) => `  ${n.padEnd(width)}${s}`),
    '```',
  ].join('\n');

  const common = [
    '| option | what it does |',
    '|---|---|',
    ...optionsOf('global').map((o) => `| ${cell(flags(o))} | ${cell(helpText(o))} |`),
  ].join('\n');

  const scoped = OPTIONS.flatMap((o) => o.scopes.filter((s) => s !== 'global').map((s) => ({ s, o })));
  scoped.sort((a, b) => scopeOrder(a.s) - scopeOrder(b.s));
  const perCommand = [
    '| command | option | what it does | default |',
    '|---|---|---|---|',
    ...scoped.map(
      ({ s, o }) =>
        `| ${s === 'keys change' ? 'keys activate, deactivate, delete' : s} | ${cell(flags(o))}${o.required ? ' (required)' : ''} | ${cell(helpText(o))} | ${defaultShown(o) ?? '—'} |`,
    ),
  ].join('\n');

  const config = [
    '| setting | flag | environment | config file key | default |',
    '|---|---|---|---|---|',
    ...OPTIONS.filter((o) => o.readme).map((o) => {
      const def =
        o.defaultText ??
        (typeof o.defaultValue === 'string' ? `\`${o.defaultValue}\`` : o.defaultValue === undefined ? 'none' : String(o.defaultValue));
      return `| ${o.readme} | ${cell(flags(o))} | \`${o.env}\` | ${o.setting ? `\`${o.setting}\`` : '—'} | ${cell(def)} |`;
    }),
  ].join('\n');

  return { commands, common, 'per-command': perCommand, config };
}

const ORDER = ['doctor', 'balance', 'keys list', 'keys create', 'keys rotate', 'keys change', 'call', 'explain'];
function scopeOrder(s: string): number {
  return ORDER.indexOf(s);
}

/** The README with every section replaced by the one the table makes; throws when a marker is missing. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, body] of Object.entries(readmeSections())) {
    const re = new RegExp(`(<!-- options:${name} -->\\n)[\\s\\S]*?(\\n<!-- /options:${name} -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- options:${name} --> … <!-- /options:${name} --> section`);
    out = out.replace(re, (_m, open: string, close: string) => `${open}${body}${close}`);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const before = readFileSync(README, 'utf8');
  const after = renderReadme(before);
  if (after !== before) writeFileSync(README, after);
  process.stderr.write(
    after === before ? 'README.md: option tables already up to date\n' : 'README.md: option tables rewritten from src/config/options.ts\n',
  );
}
