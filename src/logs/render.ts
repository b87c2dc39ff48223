/** How a log's groups are shown: a short table, one annotation a group, one line an error (--follow). */
import type { Writer as Output } from '../render/reporter.js';
import type { Style } from '../render/style.js';
import { fitToWidth } from '../render/layout.js';
import type { Diagnosis } from '../core/types.js';
import { fmt, safeExample, shortTime, type Group } from './groups.js';
import type { LogError } from './scan.js';

/** Table rows shown; the rest are counted in one line (all are in --json). */
const TABLE_ROWS = 10;

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** "2024-05-01 12:00:03 → 12:59:58", "lines 7–4,021" when the log has no times. */
export function seen(g: Pick<Group, 'first' | 'last' | 'firstLine' | 'lastLine'>): string {
  if (g.first && g.last) {
    const a = shortTime(g.first);
    const b = shortTime(g.last);
    if (a === b) return a;
    return `${a} → ${a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b}`;
  }
  return g.firstLine === g.lastLine ? `line ${fmt(g.firstLine)}` : `lines ${fmt(g.firstLine)}–${fmt(g.lastLine)}`;
}

/**
 * The summary as text for `width` columns: a head line, the table (each row with its example, cut with
 * "…" to the width: it is an example, not a remedy), what the log shows. A row whose "seen" does not fit
 * puts it on the line below, under the diagnosis.
 */
export function tableText(
  groups: Group[],
  errors: number,
  lines: number,
  patterns: string[],
  s: Style,
  width: number,
  quiet: boolean,
  interrupted = false,
): string {
  const kinds = groups.length === 1 ? 'one cause' : `${groups.length} causes`;
  let out = `${fitToWidth(
    `${s.fail(s.symbols.fail)} ${fmt(errors)} ${errors === 1 ? 'error' : 'errors'} in ${fmt(lines)} ${lines === 1 ? 'line' : 'lines'}, ${kinds}${interrupted ? ' (interrupted: what was read so far)' : ''}`,
    width,
  )}\n`;
  if (quiet) {
    for (const g of groups.slice(0, TABLE_ROWS)) out += `${fmt(g.count).padStart(7)}  ${g.id}\n`;
  } else {
    const idWidth = Math.min(24, Math.max(...groups.slice(0, TABLE_ROWS).map((g) => g.id.length)));
    const indent = ' '.repeat(9);
    const head = `${'count'.padStart(7)}  ${'diagnosis'.padEnd(idWidth)}  seen`;
    out += `\n${s.dim(head.length <= width ? head : `${'count'.padStart(7)}  diagnosis, seen`)}\n`;
    for (const g of groups.slice(0, TABLE_ROWS)) {
      const row = `${fmt(g.count).padStart(7)}  ${g.id.padEnd(idWidth)}  ${seen(g)}`;
      out +=
        row.length <= width
          ? `${fmt(g.count).padStart(7)}  ${s.bold(g.id.padEnd(idWidth))}  ${seen(g)}\n`
          : `${fmt(g.count).padStart(7)}  ${s.bold(g.id)}\n${fitToWidth(indent + seen(g), width)}\n`;
      out += `${indent}${s.dim(cut(`e.g. ${g.example}`, Math.max(12, width - indent.length)))}\n`;
    }
    if (groups.length > TABLE_ROWS) {
      const rest = groups.slice(TABLE_ROWS);
      out += `${fitToWidth(`${indent}… and ${rest.length} more causes (${fmt(rest.reduce((n, g) => n + g.count, 0))} errors): see --json`, width)}\n`;
    }
  }
  if (patterns.length) out += '\n' + patterns.map((p) => fitToWidth(`  ${p}`, width)).join('\n') + '\n';
  return out;
}

/** The summary on stdout (tableText laid out for the output's width). */
export function renderTable(o: Output, groups: Group[], errors: number, lines: number, patterns: string[], interrupted = false): void {
  o.out(tableText(groups, errors, lines, patterns, o.style, o.width, o.quiet, interrupted));
}

/** Escapes a GitHub workflow command's data / property. */
const ghData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProp = (s: string) => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `--format github`: one annotation a group (error, or warning when it is retryable), then a summary line. */
export function renderGithub(o: Output, groups: Group[], errors: number, lines: number, patterns: string[]): void {
  for (const g of groups) {
    const d = g.diagnosis;
    const level = d.retryable ? 'warning' : 'error';
    const msg = [
      `${fmt(g.count)} × ${d.title} [${d.id}] — ${seen(g)}`,
      `e.g. ${g.example}`,
      ...d.remedies.map((r, i) => `${i + 1}. ${r}`),
    ].join('\n');
    o.out(`::${level} title=${ghProp(`apidoctor explain: ${g.id} ×${g.count}`)}::${ghData(msg)}\n`);
  }
  for (const p of patterns) o.out(`::notice title=apidoctor explain::${ghData(p)}\n`);
  o.out(
    `apidoctor explain: ${fmt(errors)} ${errors === 1 ? 'error' : 'errors'} in ${fmt(lines)} lines, ${groups.length} ${groups.length === 1 ? 'cause' : 'causes'}${groups[0] ? ` — the first: ${groups[0].id}` : ''}\n`,
  );
}

/** One line for an error as it arrives (--follow); `times` when it is a repeat being counted. */
export function followLine(o: Output, e: LogError, g: Group, times?: number): void {
  const s = o.style;
  const when = e.time ? shortTime(e.time).slice(11, 19) : `line ${fmt(e.line)}`;
  const d: Diagnosis = g.diagnosis;
  if (times !== undefined) {
    o.out(
      `${s.dim(when)} ${s.fail(s.symbols.fail)} ${d.id} ×${fmt(times)} ${s.dim(`(since ${seen({ ...g, last: g.first, lastLine: g.firstLine })})`)}\n`,
    );
    return;
  }
  const head = `${when} ${s.symbols.fail} ${d.id}  `;
  o.out(
    `${s.dim(when)} ${s.fail(s.symbols.fail)} ${s.bold(d.id)}  ${cut(`${d.title} — ${safeExample(e.example)}`, Math.max(20, o.width - head.length))}\n`,
  );
}
