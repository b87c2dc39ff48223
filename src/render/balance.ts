import type { Diagnosis } from '../core/types.js';
import type { Runway, NoRunway } from '../api/usage.js';
import { report, type Reporters, type Writer } from './reporter.js';
import { printDiagnosis } from './diagnosis.js';
import { labelled } from './layout.js';
import { annotation, diagnosisMessage } from './github.js';
import { EXIT_CODES } from '../core/exit.js';
import type { ExitReason } from '../core/types.js';
import { usd } from '../core/format.js';

/** What `balance` found, as its renderers read it. */
export interface BalanceView {
  balance: number | null;
  currency: 'USD';
  min: number | null;
  decision: 'ok' | 'below' | 'unknown';
  fetchedAt: string | null;
  runway: Runway | NoRunway;
  notes: string[];
  diagnosis?: Diagnosis;
  /** --fail-open turned a "could not check" into exit 0. */
  failedOpen: boolean;
  /** The run's exit reason (the github summary line names it). */
  exitReason: ExitReason;
}

/** balance's reporters by --format (json is main()'s document). */
export const BALANCE_REPORTERS: Reporters<BalanceView> = {
  text: (v, env) => report(env, (o) => renderBalanceText(o, v)),
  value: (v, env) => report(env, (o) => renderBalanceValue(o, v)),
  openmetrics: (v, env) => report(env, (o) => renderBalanceOpenMetrics(o, v)),
  github: (v, env) => report(env, (o) => renderBalanceGithub(o, v, v.exitReason)),
};

/** An amount for people: the one rule of src/core/format.ts (0.0312, 42.50). */
export { usd };

/** "in about 12 days", "in less than a day". */
function inDays(d: number): string {
  if (d < 1) return 'in less than a day';
  const n = d < 10 ? Math.round(d * 10) / 10 : Math.round(d);
  return `in about ${n} day${n === 1 ? '' : 's'}`;
}

/** The human report: result lines on stdout, notes and diagnosis on stderr. */
export function renderBalanceText(o: Writer, v: BalanceView): void {
  const s = o.style;
  if (o.quiet) {
    // -q with --min is a guard for cron, which mails any output: silent while the balance is at or
    // above the minimum, or could not be checked and --fail-open lets it pass; the number and the
    // verdict below it. (--format value always prints the number, for scripts.)
    if ((v.min !== null && v.decision === 'ok') || v.failedOpen) return;
    if (v.balance !== null) o.out(`${v.balance}\n`);
    return renderProblem(o, v);
  }
  if (v.balance !== null) {
    // Each value wraps under its own column at the terminal's width.
    const w = o.width;
    const lines = [labelled('Balance   ', s.bold(`${usd(v.balance)} ${v.currency}`), w), labelled('Fetched   ', `${v.fetchedAt}`, w)];
    if (v.min !== null) {
      const verdict =
        v.decision === 'below' ? s.fail(`${s.symbols.fail} below the minimum`) : s.ok(`${s.symbols.pass} at or above the minimum`);
      lines.push(labelled('Minimum   ', `${usd(v.min)} ${v.currency}  ${verdict}`, w));
    }
    const r = v.runway;
    if (r.available) {
      lines.push(
        labelled(
          'Spend     ',
          `${usd(r.spend24h)} ${v.currency} in the last 24 h · ${usd(r.spend7d)} ${v.currency} in the last 7 days${r.complete ? '' : ` (partial: ${r.records} most recent charges read)`}`,
          w,
        ),
      );
      if (v.balance <= 0) {
        lines.push(labelled('Runway    ', 'none: the balance is empty', w));
      } else if (r.daysLeft !== null) {
        const basis = r.rateBasis === '24h' ? 'the last 24 h' : '7-day average';
        lines.push(
          labelled('Runway    ', `at this rate (${usd(r.dailyRate)} ${v.currency}/day, ${basis}), empty ${inDays(r.daysLeft)}`, w),
        );
      } else if (v.balance > 0) {
        lines.push(labelled('Runway    ', 'nothing spent in the last 7 days', w));
      }
    }
    o.out(lines.join('\n') + '\n');
    if (!r.available) o.err(s.dim(`${s.symbols.skip} runway left out: ${r.reason}.`) + '\n');
  }
  for (const n of v.notes) o.warn(n);
  renderProblem(o, v);
}

/** The diagnosis on stderr (one verdict line with -q), and what --fail-open did. */
function renderProblem(o: Writer, v: BalanceView): void {
  const s = o.style;
  if (v.diagnosis) printDiagnosis(o, v.diagnosis);
  if (v.failedOpen)
    o.err(
      `${s.warn(s.symbols.warn)} --fail-open: the balance could not be checked (${v.diagnosis?.category ?? 'unknown'}); exiting 0 with decision "unknown".\n`,
    );
}

/** The bare number for `$(apidoctor balance --format value)`; nothing on stdout when there is none. */
export function renderBalanceValue(o: Writer, v: BalanceView): void {
  if (v.balance !== null) o.out(`${v.balance}\n`);
  renderProblem(o, v);
}

/** A number in exposition format (no exponent surprises for ordinary values). */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'NaN';
}

/**
 * OpenMetrics gauges for a Prometheus textfile collector: the balance, the minimum and verdict,
 * spend and runway when known, whether the check succeeded, and when. Ends with `# EOF`.
 */
export function openMetrics(v: BalanceView): string {
  const out: string[] = [];
  const gauge = (name: string, help: string, unit: string | undefined, samples: Array<[string, number]>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    if (unit) out.push(`# UNIT ${name} ${unit}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${num(value)}`);
  };
  if (v.balance !== null)
    gauge('modelswitch_balance_usd', 'ModelSwitch account balance in USD (GET /api/balance).', 'usd', [['', v.balance]]);
  if (v.min !== null) {
    gauge('modelswitch_balance_minimum_usd', 'Minimum balance given with --min.', 'usd', [['', v.min]]);
    if (v.balance !== null)
      gauge('modelswitch_balance_below_minimum', '1 when the balance is below --min, else 0.', undefined, [
        ['', v.decision === 'below' ? 1 : 0],
      ]);
  }
  const r = v.runway;
  if (r.available) {
    gauge('modelswitch_spend_usd', 'Spend over the trailing window in USD.', 'usd', [
      ['{window="24h"}', r.spend24h],
      ['{window="7d"}', r.spend7d],
    ]);
    if (r.daysLeft !== null)
      gauge('modelswitch_balance_runway_days', 'Days until the balance is empty at the recent spend rate.', 'days', [['', r.daysLeft]]);
  }
  gauge('modelswitch_balance_check_success', '1 when the balance was read, 0 when it could not be.', undefined, [
    ['', v.balance !== null ? 1 : 0],
  ]);
  if (v.fetchedAt)
    gauge('modelswitch_balance_fetched_timestamp_seconds', 'When the balance was read (Unix time).', 'seconds', [
      ['', Date.parse(v.fetchedAt) / 1000],
    ]);
  out.push('# EOF');
  return out.join('\n') + '\n';
}

/** The openmetrics report: the exposition on stdout, the diagnosis (if any) on stderr. */
export function renderBalanceOpenMetrics(o: Writer, v: BalanceView): void {
  o.out(openMetrics(v));
  renderProblem(o, v);
}

/**
 * `--format github`: the problem as a workflow annotation (an error, or a warning when --fail-open
 * let it pass), the notes as warnings, then one plain summary line. The step outputs are written by the CLI.
 */
export function renderBalanceGithub(o: Writer, v: BalanceView, reason: ExitReason): void {
  const title = 'apidoctor balance';
  let text = '';
  if (v.diagnosis)
    text += annotation(
      v.failedOpen ? 'warning' : 'error',
      title,
      diagnosisMessage(
        v.diagnosis,
        v.failedOpen ? `--fail-open: the balance could not be checked (${v.diagnosis.category}); exiting 0` : undefined,
      ),
    );
  for (const n of v.notes) text += annotation('warning', title, n);
  const amount = v.balance !== null ? `${usd(v.balance)} ${v.currency}` : 'balance unknown';
  const min = v.min !== null ? ` (minimum ${usd(v.min)} ${v.currency})` : '';
  text += `apidoctor balance: ${amount}${min} — exit ${EXIT_CODES[reason]} (${reason})\n`;
  o.out(text);
}
