import { redactor } from '../core/redact.js';
import { PLAIN, applyStyleMarkers, type Style } from './style.js';
import { jsonSafe, neutralize, oneLine } from './sanitize.js';
import { interruptibleStep } from '../core/busy.js';
import { fitToWidth } from './layout.js';
import type { Report, ReportEnv, StreamDraw, Writer } from './reporter.js';
import { appendStepSummary } from './github.js';

/** A character that is not printable ASCII or a line break: one a terminal may act on, or a colour's marker. */
const NOT_PRINTABLE_ASCII = /[^\n\x20-\x7e]/;

/** A writable stream as the output layer needs it. */
export interface Sink {
  /** `encoding` only for text known to be ASCII (then 'latin1', the same bytes, copied). */
  write(chunk: string, encoding?: 'latin1'): unknown;
  isTTY?: boolean;
  /** A terminal's width. */
  columns?: number;
}

/** Spinner handle: a no-op when there is no TTY. */
export interface Spinner {
  text(t: string): void;
  stop(): void;
}

const NO_SPINNER: Spinner = { text: () => {}, stop: () => {} };

/** How deep a JSON document may nest before the rest is summarised (see Output.jsonDocument). */
export const MAX_JSON_DEPTH = 100;

/** Set while jsonDocument stringifies: a JsonArrayStream then stands for itself as a placeholder string. */
let placeholderFor: ((stream: JsonArrayStream<unknown>) => string) | undefined;

/**
 * An array that jsonDocument writes piece by piece, its items made as they are written (`keys --json` with
 * 100,000 keys is then never one object tree nor one string). Anywhere else it serialises as the whole array.
 */
export class JsonArrayStream<T> {
  constructor(
    readonly length: number,
    readonly item: (i: number) => T,
    /** Item i as JSON.stringify(item(i), null, 2) writes it with every line after the first indented by `indent`, made faster. */
    readonly itemJson?: (i: number, indent: string) => string,
  ) {}
  toJSON(): unknown {
    if (placeholderFor) return placeholderFor(this as JsonArrayStream<unknown>);
    const all: T[] = [];
    for (let i = 0; i < this.length; i++) all.push(this.item(i));
    return all;
  }
}

/** Items per piece written by jsonDocument. */
const ITEMS_PER_WRITE = 1024;

/** The value with anything nested deeper than `max` levels replaced by a note; recursion stops at `max`. */
export function depthBounded(v: unknown, max = MAX_JSON_DEPTH, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth >= max) return `[nested deeper than ${max} levels: not shown]`;
  if (Array.isArray(v)) return v.map((x) => depthBounded(x, max, depth + 1));
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = depthBounded(x, max, depth + 1);
  return out;
}

/**
 * The only way anything reaches stdout or stderr. Every write goes through the redactor, so a key cannot
 * be printed by any command, in any format, or in any error; then through `neutralize`, so no control
 * character that came with outside text (a server's ESC, OSC 52, C1, a bidi override) reaches a terminal
 * raw; only then do apidoctor's own colour markers become escape sequences (style.ts).
 * Its file is past ~300 lines on purpose: every path to a sink (results, chunks of a stream, JSON documents,
 * reports, spinners) is in this one class, so that none can be added that skips the redactor.
 */
export class Output implements Writer {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly style: Style;
  readonly stdoutIsTTY: boolean;
  /** The width human output is laid out for (the terminal's, COLUMNS, or 80). */
  readonly width: number;
  private readonly spinnerAllowed: boolean;
  private spinners = new Set<{ stop(): void }>();

  constructor(
    private readonly stdout: Sink,
    private readonly stderr: Sink,
    opts: { json?: boolean; quiet?: boolean; verbose?: boolean; style?: Style; spinner?: boolean; width?: number } = {},
  ) {
    this.json = !!opts.json;
    this.quiet = !!opts.quiet;
    this.verbose = !!opts.verbose;
    this.style = opts.style ?? PLAIN;
    this.stdoutIsTTY = !!stdout.isTTY;
    this.width = opts.width ?? 80;
    // ora moves the cursor: only on a real terminal stream that can, and that says how wide it is. On a
    // terminal of 0 columns (a pseudo-terminal nobody sized), ora on Node 22+ cleared lines without end:
    // megabytes of escapes, and the run never finished.
    this.spinnerAllowed =
      !!opts.spinner &&
      !this.json &&
      !this.quiet &&
      !!stderr.isTTY &&
      typeof (stderr as { cursorTo?: unknown }).cursorTo === 'function' &&
      (stderr.columns ?? 0) > 0;
  }

  /** What a reporter may know of this output (src/render/reporter.ts). */
  get env(): ReportEnv {
    return { style: this.style, width: this.width, quiet: this.quiet, verbose: this.verbose, stdoutIsTTY: this.stdoutIsTTY };
  }

  /**
   * Writes a reporter's Report, its segments in order (--quiet was applied by the reporter); the
   * step-summary Markdown is appended, redacted, to the file `stepSummary` names ($GITHUB_STEP_SUMMARY).
   */
  async write(report: Report, stepSummary?: string): Promise<void> {
    let summary = '';
    for (const seg of report) {
      if (seg.to === 'stdout-stream') await this.streamOut(seg.draw);
      else if (seg.to === 'stdout') this.out(seg.text);
      else if (seg.to === 'stderr') this.err(seg.text, true);
      else summary += seg.text;
    }
    if (summary && stepSummary) {
      await appendStepSummary(stepSummary, summary);
    }
  }

  /**
   * A long result made piece by piece: each piece written (redacted) as it comes, paused while stdout is full. A
   * piece the drawer says is masked (see StreamDraw) and that is printable ASCII is written as it is, as Latin-1
   * (the same bytes as UTF-8 for ASCII, copied rather than encoded: ~10 ms less for 100,000 keys).
   */
  private streamOut(draw: StreamDraw): Promise<void> {
    return draw(
      (t, masked) => (masked && this.revealed === undefined && !NOT_PRINTABLE_ASCII.test(t) ? this.stdout.write(t, 'latin1') : this.out(t)),
      () => this.drained(),
    );
  }

  /** What reaches a sink: neutralised, with apidoctor's own colours applied. */
  private final(text: string): string {
    return applyStyleMarkers(neutralize(text), this.style.color);
  }

  /** Writes a result to stdout (redacted). */
  out(text: string): void {
    const reveal = this.revealed;
    const at = reveal ? text.indexOf(reveal) : -1;
    if (reveal === undefined || at < 0)
      return void this.stdout.write(interruptibleStep(text.length, () => this.final(redactor.redact(text))));
    this.revealed = undefined;
    this.stdout.write(this.final(redactor.redact(text.slice(0, at)) + reveal + redactor.redact(text.slice(at + reveal.length))));
  }

  private revealed: string | undefined;
  private revealUsed = false;

  /**
   * The one escape hatch from redaction, for `keys create` / `keys rotate` only: the API shows a new
   * key once, so the user must see it once. The next stdout write (out/jsonDocument, never stderr)
   * that contains exactly `secret` prints its first occurrence unmasked; everything else in that
   * write, and every later write, stays redacted. Allowed once per Output, i.e. per run (a second call throws).
   */
  revealOnce(secret: string): void {
    if (this.revealUsed || secret.trim().length < 8) throw new Error('revealOnce: at most one new key, once');
    this.revealUsed = true;
    this.revealed = secret;
  }

  /** The unfinished last line of a streamed body, held back by outChunk. */
  private heldChunk = '';

  /**
   * Writes a streamed body to stdout as it arrives, redacted. A key can arrive split across two chunks,
   * and each half alone does not look like a key; so whole lines are written and the unfinished last
   * one is held back until its end arrives (a line past 64 KiB is written anyway). Call endChunks()
   * when the stream ends.
   */
  outChunk(text: string): void {
    const all = this.heldChunk + text;
    let cut = all.lastIndexOf('\n') + 1;
    if (cut === 0 && all.length > 64 * 1024) cut = all.length;
    this.heldChunk = all.slice(cut);
    if (cut > 0) this.stdout.write(this.final(redactor.redact(all.slice(0, cut))));
  }

  /**
   * A promise when stdout holds more than 256 KiB not yet taken (a pipe whose reader is slower), resolved once it
   * has taken it: a long result (a table of a million keys) written without waiting would be queued whole in
   * memory. Undefined when there is nothing to wait for.
   */
  drained(): Promise<void> | undefined {
    const s = this.stdout as Sink & {
      writableLength?: number;
      destroyed?: boolean;
      once?: (event: string, f: () => void) => unknown;
      off?: (event: string, f: () => void) => unknown;
    };
    if (!((s.writableLength ?? 0) > 256 * 1024) || s.destroyed || typeof s.once !== 'function') return undefined;
    return new Promise((resolve) => {
      const done = () => {
        for (const e of ['drain', 'close', 'error']) s.off?.(e, done);
        resolve();
      };
      for (const e of ['drain', 'close', 'error']) s.once!(e, done);
    });
  }

  /** Writes what outChunk held back: the end of the stream. */
  endChunks(): void {
    const rest = this.heldChunk;
    this.heldChunk = '';
    if (rest) this.stdout.write(this.final(redactor.redact(rest)));
  }

  /**
   * Writes to stderr (redacted); suppressed by --quiet unless `always`. Everything on stderr is for a person:
   * a line wider than the width is wrapped at spaces under its own indentation (fitToWidth), measured as
   * it is written (after redaction, with outside control characters as their visible escapes).
   */
  err(text: string, always = false): void {
    if (this.quiet && !always) return;
    this.stopSpinners();
    this.stderr.write(applyStyleMarkers(fitToWidth(redactor.redact(text), this.width), this.style.color));
  }

  /**
   * What a command says while it runs, on stderr: a retry, a follow-up request, a question, a note that must
   * come before a change is sent. The one way a command body writes (its result is a reporter's, written by
   * main()); suppressed by --quiet unless `always`.
   */
  progress(text: string, always = false): void {
    this.err(text, always);
  }

  /** A warning line on stderr (laid out for the width, as all of stderr); kept even in JSON mode (stdout stays one document). */
  warn(text: string): void {
    this.err(`${this.style.warn(this.style.symbols.warn)} ${text}\n`);
  }

  /** A verbose-only line on stderr. */
  debug(text: string): void {
    if (this.verbose) this.err(this.style.dim(text) + '\n');
  }

  /**
   * Prints the single JSON document on stdout. JSON.stringify recurses, and a server's body nested a few
   * thousand levels deep (which JSON.parse reads fine) overflows the stack: then the document is
   * printed with what lies deeper than MAX_JSON_DEPTH summarised.
   */
  jsonDocument(doc: unknown): void | Promise<void> {
    const streams: JsonArrayStream<unknown>[] = [];
    const tag = `@apidoctor-json-stream-${Math.random().toString(36).slice(2)}-`;
    placeholderFor = (stream) => `${tag}${streams.push(stream) - 1}@`;
    let text: string;
    try {
      try {
        text = JSON.stringify(doc, null, 2);
      } catch {
        streams.length = 0;
        text = JSON.stringify(depthBounded(doc), null, 2);
      }
    } finally {
      placeholderFor = undefined;
    }
    if (streams.length === 0) return this.out(jsonSafe(text) + '\n');
    return this.jsonWithStreams(text, tag, streams);
  }

  /**
   * Each placeholder becomes its array, written a piece at a time at the placeholder's indentation. Waits
   * only when the reader is behind: to a sink that keeps up, the document is written before this returns.
   */
  private jsonWithStreams(text: string, tag: string, streams: JsonArrayStream<unknown>[]): void | Promise<void> {
    const at = new RegExp(`"${tag}(\\d+)@"`, 'g');
    const next = (from: number): void | Promise<void> => {
      const m = at.exec(text);
      if (!m) return this.out(jsonSafe(text.slice(from)) + '\n');
      const before = text.slice(from, m.index);
      this.out(jsonSafe(before));
      const indent = /[^\n]*$/.exec(before)![0].match(/^ */)![0];
      const end = m.index + m[0].length;
      const wait = this.jsonArray(streams[Number(m[1])]!, indent);
      return wait ? wait.then(() => next(end)) : next(end);
    };
    return next(0);
  }

  /**
   * An array's items from `from` on, in pieces of ITEMS_PER_WRITE; after a piece, while the reader is behind
   * (drained), it goes on once stdout has drained. Written one after another, a pipe's writes queued the whole
   * document (600,000 keys: ~470 MiB).
   */
  private jsonArray(stream: JsonArrayStream<unknown>, indent: string, from = 0): void | Promise<void> {
    if (stream.length === 0) return this.out('[]');
    const inner = `${indent}  `;
    let piece = from === 0 ? '[' : '';
    for (let i = from; i < stream.length; i++) {
      piece += `${i ? ',' : ''}\n${inner}${stream.itemJson ? stream.itemJson(i, inner) : JSON.stringify(stream.item(i), null, 2).replace(/\n/g, `\n${inner}`)}`;
      if (i % ITEMS_PER_WRITE === ITEMS_PER_WRITE - 1) {
        this.out(jsonSafe(piece));
        piece = '';
        const wait = this.drained();
        if (wait) return wait.then(() => this.jsonArray(stream, indent, i + 1));
      }
    }
    this.out(jsonSafe(`${piece}\n${indent}]`));
  }

  /** Starts a spinner on stderr (TTY only); ora is imported only then and its first frame is not awaited. */
  spinner(text: string): Spinner {
    if (!this.spinnerAllowed) return NO_SPINNER;
    // ora writes the text itself: it is redacted, neutralised and kept on one line here.
    const safe = (t: string) => applyStyleMarkers(oneLine(redactor.redact(t)), this.style.color);
    let current = safe(text);
    let stopped = false;
    let instance: { text: string; stop(): void } | undefined;
    const handle = {
      stop: () => {
        stopped = true;
        instance?.stop();
        this.spinners.delete(handle);
      },
    };
    this.spinners.add(handle);
    void import('ora')
      .then(({ default: ora }) => {
        if (stopped) return;
        instance = ora({ text: current, stream: this.stderr as NodeJS.WritableStream, discardStdin: false }).start();
      })
      .catch(() => {});
    return {
      text: (t) => {
        current = safe(t);
        if (instance) instance.text = current;
      },
      stop: handle.stop,
    };
  }

  private stopSpinners(): void {
    for (const s of [...this.spinners]) s.stop();
  }
}
