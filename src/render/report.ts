import type { CheckDef, CheckResult } from '../checks/runner.js';
import type { Diagnosis } from '../core/types.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { redactor } from '../core/redact.js';
import { report, stdoutReporter, type Reporters, type Writer } from './reporter.js';
import { renderMarkdown, type MarkdownEnv } from './markdown.js';
import { renderDiagnosis, formatMs } from './diagnosis.js';
import { markdownText, oneLine, workflowData, workflowProperty } from './sanitize.js';
import { fitToWidth, reportRow, titleColumn, labelled } from './layout.js';

/** The summary line's numbers. */
export interface Summary {
  pass: number;
  warn: number;
  fail: number;
  skip: number;
  exitCode: number;
  exitReason: string;
  rootCause?: string;
  /** The diagnosis of the root-cause check: what is wrong, where rootCause says which check found it. */
  rootCauseDiagnosis?: string;
}

/** `--list-checks`: id, title, what it needs. */
export function listChecks(defs: readonly CheckDef<unknown>[], width = Infinity): string {
  const w = Math.max(...defs.map((d) => d.id.length));
  // Each description wraps under its own column at the width.
  return (
    defs
      .map((d) => labelled(`${d.id.padEnd(w)}  `, `${d.title}${d.byDefault === false ? ' (opt-in)' : ''}  — needs ${d.requires}`, width))
      .join('\n') + '\n'
  );
}

/** The text report: a line per check on stdout, the diagnoses on stderr, a summary line on stdout. */
export function renderText(o: Writer, results: CheckResult[], diagnoses: Diagnosis[], summary: Summary, strict: boolean): void {
  const s = o.style;
  const sym = (r: CheckResult) =>
    r.status === 'pass'
      ? s.ok(s.symbols.pass)
      : r.status === 'warn'
        ? s.warn(s.symbols.warn)
        : r.status === 'fail'
          ? s.fail(s.symbols.fail)
          : s.dim(s.symbols.skip);
  // Laid out for the terminal's width (80 when unknown), details wrapped under their column.
  const titleWidth = titleColumn(
    results.map((r) => r.title),
    o.width,
  );
  if (!o.quiet) {
    const lines = results.map((r) => {
      // The time is one unit: never "9" at the end of one line and "ms" on the next.
      const time = r.durationMs > 0 ? ` ${formatMs(r.durationMs).replace(' ', '\u00a0')}` : '';
      const painted = (line: string) =>
        r.status === 'skip' ? s.dim(line) : time && line.endsWith(time) ? line.slice(0, -time.length) + s.dim(time) : line;
      const paint = (line: string) => painted(line).replace('\u00a0', ' ');
      return reportRow(sym(r), r.title, `${oneLine(r.detail)}${time}`, titleWidth, o.width, paint);
    });
    o.out(lines.join('\n') + '\n');
    if (diagnoses.length) {
      o.err('\n');
      // A diagnosis that only warning checks gave is shown as a warning (!), as their lines are, unless --strict makes warnings fail.
      const key = (d: Diagnosis) => `${d.id}\0${d.title}`;
      const warnOnly = new Set(results.filter((r) => r.status === 'warn' && r.diagnosis).map((r) => key(r.diagnosis!)));
      for (const r of results) if (r.status === 'fail' && r.diagnosis) warnOnly.delete(key(r.diagnosis));
      for (const d of diagnoses) o.err(renderDiagnosis(d, s, !strict && warnOnly.has(key(d)) ? 'warn' : 'fail') + '\n');
    }
  }
  const parts = [
    `${summary.pass} passed`,
    `${summary.warn} warning${summary.warn === 1 ? '' : 's'}`,
    `${summary.fail} failed`,
    `${summary.skip} skipped`,
  ];
  const verdict =
    summary.exitCode === 0
      ? s.ok(`${s.symbols.pass} healthy`) + (summary.warn ? s.dim(' (warnings do not fail without --strict)') : '')
      : s.fail(`${s.symbols.fail} exit ${summary.exitCode} (${summary.exitReason})`) +
        (summary.rootCause
          ? ` — root cause: ${summary.rootCauseDiagnosis ? `${summary.rootCauseDiagnosis} (found by ${summary.rootCause})` : summary.rootCause}${strict && summary.fail === 0 ? ' (--strict)' : ''}`
          : '');
  o.out(`${o.quiet ? '' : '\n'}${fitToWidth(`${parts.join(', ')} — ${verdict}`, o.width)}\n`);
}

/** `--format github`: an annotation per failure and warning, then a plain summary line. */
export function renderGithub(results: CheckResult[], summary: Summary): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'warn') continue;
    const level = r.status === 'fail' ? 'error' : 'warning';
    const d = r.diagnosis;
    const msg = d
      ? `${oneLine(r.detail)}\n${d.title} [${d.id}]\n${d.remedies.map((x, i) => `${i + 1}. ${x}`).join('\n')}`
      : oneLine(r.detail);
    lines.push(`::${level} title=${workflowProperty(`apidoctor ${r.id}: ${r.title}`)}::${workflowData(msg)}`);
  }
  lines.push(
    `apidoctor doctor: ${summary.pass} passed, ${summary.warn} warnings, ${summary.fail} failed, ${summary.skip} skipped — exit ${summary.exitCode} (${summary.exitReason})`,
  );
  return lines.join('\n') + '\n';
}

/** The Markdown table for $GITHUB_STEP_SUMMARY (the output layer appends it). */
export function githubSummary(results: CheckResult[], summary: Summary): string {
  const icon = { pass: '✅', warn: '⚠️', fail: '❌', skip: '⏭️' } as const;
  // Server text renders as text: no link, image, HTML or cell break (markdownText).
  const cell = (t: string) => markdownText(redactor.redact(t));
  const md = [
    '### apidoctor doctor',
    '',
    '| | Check | Detail | Time |',
    '|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${icon[r.status]} | ${cell(r.title)} | ${cell(r.detail)}${r.diagnosis && r.status !== 'pass' ? ` (\`${r.diagnosis.id}\`)` : ''} | ${r.durationMs ? formatMs(r.durationMs) : ''} |`,
    ),
    '',
    `**${summary.exitCode === 0 ? 'Healthy' : `Exit ${summary.exitCode} (${summary.exitReason})`}** — ${summary.pass} passed, ${summary.warn} warnings, ${summary.fail} failed, ${summary.skip} skipped`,
    '',
  ].join('\n');
  return md + '\n';
}

function xml(s: string): string {
  // Also drops characters XML 1.0 cannot hold.
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

/** `--format junit`: one testcase per check, for CI test reports. */
export function renderJunit(results: CheckResult[], strict: boolean, totalMs: number): string {
  const failures = results.filter((r) => r.status === 'fail' || (strict && r.status === 'warn')).length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const cases = results.map((r) => {
    const open = `    <testcase classname="apidoctor.doctor" name="${xml(`${r.id}: ${r.title}`)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
    const d = r.diagnosis;
    const text = xml(`${r.detail}${d ? `\n${d.title} [${d.id}]\n${d.remedies.map((x, i) => `${i + 1}. ${x}`).join('\n')}` : ''}`);
    if (r.status === 'fail' || (strict && r.status === 'warn'))
      return `${open}>\n      <failure message="${xml(r.detail)}" type="${xml(d?.id ?? r.status)}">${text}</failure>\n    </testcase>`;
    if (r.status === 'skip') return `${open}>\n      <skipped message="${xml(r.detail)}"/>\n    </testcase>`;
    if (r.status === 'warn') return `${open}>\n      <system-out>${text}</system-out>\n    </testcase>`;
    return `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="apidoctor" tests="${results.length}" failures="${failures}" skipped="${skipped}" time="${(totalMs / 1000).toFixed(3)}">`,
    `  <testsuite name="apidoctor doctor" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${(totalMs / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** What doctor found, as its reporters read it. */
export interface DoctorView {
  results: CheckResult[];
  diagnoses: Diagnosis[];
  summary: Summary;
  strict: boolean;
  /** The whole run, for junit's times. */
  totalMs: number;
  /** For the markdown report: the settings with their sources, and the versions and OS. */
  config: ResolvedConfig;
  machine: MarkdownEnv;
}

/** doctor's reporters by --format (json is main()'s document). */
export const DOCTOR_REPORTERS: Reporters<DoctorView> = {
  text: (v, env) => report(env, (o) => renderText(o, v.results, v.diagnoses, v.summary, v.strict)),
  github: (v, env) =>
    report(env, (o) => {
      o.out(renderGithub(v.results, v.summary));
      o.stepSummary(githubSummary(v.results, v.summary));
    }),
  junit: stdoutReporter((v) => renderJunit(v.results, v.strict, v.totalMs)),
  markdown: stdoutReporter((v) => renderMarkdown(v.results, v.diagnoses, v.summary, v.config, v.machine)),
};

/** `doctor --list-checks`. */
export const LIST_CHECKS_REPORTERS: Reporters<readonly CheckDef<unknown>[]> = {
  text: stdoutReporter((defs, env) => listChecks(defs, env.width)),
};
