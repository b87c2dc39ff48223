import type { Style } from './style.js';

/**
 * The one shape of every command's output. A command's run returns a view (data); a reporter, chosen by
 * --format from the command's table of reporters, turns the view into a Report: text, nothing written.
 * Only the output layer (Output.write, src/render/output.ts, called by main() in src/entry/cli.ts) writes a
 * Report — redacted, neutralised, coloured — and appends its step-summary Markdown to $GITHUB_STEP_SUMMARY.
 */

/** What a reporter may know of where its text goes (no stream, no I/O). */
export interface ReportEnv {
  style: Style;
  /** The width human text is laid out for. */
  width: number;
  quiet: boolean;
  verbose: boolean;
  /** stdout is a terminal (a JSON answer is then indented for reading). */
  stdoutIsTTY: boolean;
}

/**
 * One piece of a Report, in the order a person sees them on a terminal: a result on stdout, a report on
 * stderr, or Markdown for the step summary of a GitHub workflow (--format github).
 */
export type Segment = { to: 'stdout' | 'stderr' | 'step-summary'; text: string } | { to: 'stdout-stream'; draw: StreamDraw };

/**
 * A stdout result too large to be one string (the table of a million keys is 70 MB): it is made piece by
 * piece as the output layer writes it, and waits (`pause`) while the reader is slower, so that it is never
 * queued whole in memory. It makes text only; the writing is the output layer's.
 *
 * `masked` says of a piece that the drawer has redacted, by construction, everything in it that came from
 * outside: the piece is apidoctor's own text (digits, dates, words, spaces, line breaks) and cells that each
 * went through redactor.redact whole, on its own, and came back unchanged (a secret is a run of characters
 * that no cell boundary splits; a cell that follows a name such as "Bearer" was itself found to be no secret).
 * The output layer then spares it the redaction pass (~25 ms for 100,000 keys); it still writes it as it is
 * only if it is printable ASCII, and through neutralize and the redactor otherwise.
 */
export type StreamDraw = (write: (text: string, masked?: boolean) => void, pause: () => Promise<void> | undefined) => Promise<void>;

/** A reporter's answer: what to show, in order. */
export type Report = Segment[];

/** A pure function from a command's view to what the user sees. */
export type Reporter<V> = (view: V, env: ReportEnv) => Report;

/** A command's reporters keyed by its --format values (`json` is main()'s document, never a reporter). */
export type Reporters<V> = Readonly<Partial<Record<string, Reporter<V>>>>;

/**
 * The writing methods renderers use, shared by the Output (which writes) and the ReportBuilder (which only
 * collects): a renderer written against a Writer runs unchanged as a reporter's body.
 */
export interface Writer {
  readonly style: Style;
  readonly width: number;
  readonly quiet: boolean;
  readonly verbose: boolean;
  /** A result, on stdout. */
  out(text: string): void;
  /** A report on stderr; left out with --quiet unless `always`. */
  err(text: string, always?: boolean): void;
  /** A warning line on stderr. */
  warn(text: string): void;
  /** A line on stderr with --verbose only. */
  debug(text: string): void;
}

/** Collects what a renderer writes into a Report, applying --quiet and --verbose as the Output would. */
export class ReportBuilder implements Writer {
  readonly style: Style;
  readonly width: number;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly report: Report = [];

  constructor(env: ReportEnv) {
    this.style = env.style;
    this.width = env.width;
    this.quiet = env.quiet;
    this.verbose = env.verbose;
  }

  private add(to: 'stdout' | 'stderr' | 'step-summary', text: string): void {
    if (!text) return;
    const last = this.report[this.report.length - 1];
    // Consecutive pieces for one stream are one segment, unless it is large (a table of 100,000 keys is written in pieces).
    if (last?.to === to && 'text' in last && last.text.length + text.length <= 64 * 1024) last.text += text;
    else this.report.push({ to, text });
  }

  /** A long result on stdout, made piece by piece as the output layer writes it (see StreamDraw). */
  outStream(draw: StreamDraw): void {
    this.report.push({ to: 'stdout-stream', draw });
  }

  out(text: string): void {
    this.add('stdout', text);
  }

  err(text: string, always = false): void {
    if (this.quiet && !always) return;
    this.add('stderr', text);
  }

  warn(text: string): void {
    this.err(`${this.style.warn(this.style.symbols.warn)} ${text}\n`);
  }

  debug(text: string): void {
    if (this.verbose) this.err(this.style.dim(text) + '\n');
  }

  /** Markdown for $GITHUB_STEP_SUMMARY. */
  stepSummary(markdown: string): void {
    this.add('step-summary', markdown);
  }
}

/** A reporter's body written against a Writer, run into a Report. */
export function report(env: ReportEnv, draw: (w: ReportBuilder) => void): Report {
  const b = new ReportBuilder(env);
  draw(b);
  return b.report;
}

/** A reporter that returns one stdout text. */
export function stdoutReporter<V>(text: (view: V, env: ReportEnv) => string): Reporter<V> {
  return (view, env) => report(env, (w) => w.out(text(view, env)));
}

/** What a command result carries for people: its reporters, the --format chosen, and the view they read. */
export interface Shown {
  format: string;
  view: unknown;
  reporters: Reporters<never>;
}

/** The `shown` of a result (typed at the call, erased in the result). */
export function show<V>(reporters: Reporters<V>, format: string, view: V): Shown {
  return { format, view, reporters: reporters as Reporters<never> };
}

/** A one-off reporter for a result with a single human form (a declined change, "nothing to do"). */
export function showDrawn(draw: (w: ReportBuilder) => void): Shown {
  return show({ text: (_v: undefined, env) => report(env, draw) }, 'text', undefined);
}

/** The Report of a result: the reporter of its format (text when the table has none for it). */
export function reportOf(shown: Shown, env: ReportEnv): Report {
  const reporter = (shown.reporters[shown.format] ?? shown.reporters.text) as Reporter<unknown> | undefined;
  return reporter ? reporter(shown.view, env) : [];
}
