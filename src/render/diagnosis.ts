import type { Attempt, Diagnosis } from '../core/types.js';
import type { Style } from './style.js';
import { formatMs } from '../core/format.js';
import type { Writer as Output } from './reporter.js';
import { oneLine } from './sanitize.js';
import { fitToWidth } from './layout.js';

/** "429 ×2, then 200" — the attempts in one line. */
export function attemptsLine(attempts: Attempt[] | undefined): string | undefined {
  if (!attempts || attempts.length === 0) return undefined;
  return attempts
    .map((a) => {
      const what = a.status !== undefined ? String(a.status) : (a.networkCode ?? 'no answer');
      const wait =
        a.waitMs !== undefined ? ` (waited ${formatMs(a.waitMs)}: ${a.retryNote ?? ''})` : a.retryNote ? ` (${a.retryNote})` : '';
      return `#${a.n} ${what} in ${formatMs(a.timings.totalMs)}${wait}`;
    })
    .join(', ');
}

export { formatMs };

/** A diagnosis as a person reads it: verdict, why, evidence, what to do, docs. */
export function renderDiagnosis(d: Diagnosis, s: Style, level: 'fail' | 'warn' = 'fail'): string {
  const sym = level === 'warn' ? s.warn(s.symbols.warn) : s.fail(s.symbols.fail);
  const lines: string[] = [];
  lines.push(`${sym} ${s.bold(d.title)} ${s.dim(`[${d.id}]`)}`);
  if (d.explanation) lines.push(`  ${d.explanation}`);
  for (const n of d.notes) lines.push(`  ${s.warn(s.symbols.warn)} ${oneLine(n)}`);
  const ev = d.evidence;
  const facts: string[] = [];
  if (ev.method || ev.endpoint) facts.push(`${ev.method ?? ''} ${ev.endpoint ?? ''}`.trim());
  if (ev.status !== undefined) facts.push(`HTTP ${ev.status}`);
  if (ev.networkCode) facts.push(ev.networkCode);
  if (ev.code) facts.push(`code ${ev.code}`);
  if (ev.errorType) facts.push(`type ${ev.errorType}`);
  if (ev.requestId) facts.push(`request id ${ev.requestId}`);
  // Codes, types and ids come from the server: one line each, so none can forge a line of the report.
  if (facts.length) lines.push(`  ${s.dim('Evidence:')} ${oneLine(facts.join(' · '))}`);
  if (ev.message)
    lines.push(`  ${s.dim('Server said:')} ${JSON.stringify(ev.message.length > 300 ? ev.message.slice(0, 300) + '…' : ev.message)}`);
  else if (ev.bodyExcerpt) lines.push(`  ${s.dim('Body:')} ${JSON.stringify(ev.bodyExcerpt.slice(0, 200))}`);
  const att = attemptsLine(ev.attempts);
  if (att && (ev.attempts?.length ?? 0) > 1) lines.push(`  ${s.dim('Attempts:')} ${att}`);
  if (d.remedies.length) {
    lines.push(`  ${s.bold('What to do:')}`);
    d.remedies.forEach((r, i) => lines.push(`    ${i + 1}. ${r}`));
  }
  lines.push(`  ${s.dim('Docs:')} ${d.docs}${d.retryable ? s.dim('  (retryable)') : ''}`);
  return lines.join('\n') + '\n';
}

/**
 * A diagnosis as printed, laid out for `width` columns (each line wrapped under its own indentation, a
 * remedy's under its text, a command to copy kept whole where it fits); under `quiet` only the verdict line.
 */
export function diagnosisText(d: Diagnosis, s: Style, width: number, level: 'fail' | 'warn' = 'fail', quiet = false): string {
  const sym = level === 'warn' ? s.warn(s.symbols.warn) : s.fail(s.symbols.fail);
  if (quiet) return `${fitToWidth(`${sym} ${d.title} [${d.id}]`, width)}\n`;
  return fitToWidth(renderDiagnosis(d, s, level), width);
}

/** An error with no diagnosis: "✗ message", then the hint indented, both laid out for `width` columns. */
export function errorText(message: string, hint: string | undefined, s: Style, width: number): string {
  return `${fitToWidth(`${s.fail(s.symbols.fail)} ${message}`, width)}\n${hint ? `${fitToWidth(`  ${hint}`, width)}\n` : ''}`;
}

/** A diagnosis on stderr, laid out for the output's width: the whole of it, or under --quiet only the verdict line. */
export function printDiagnosis(o: Output, d: Diagnosis, level: 'fail' | 'warn' = 'fail'): void {
  o.err(diagnosisText(d, o.style, o.width, level, o.quiet), true);
}
