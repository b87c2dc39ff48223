/**
 * The log scanner: lines in, errors out, in bounded memory. Lines are gathered into records (records.ts:
 * a stack trace, a Python traceback with its chained exceptions, a Node error printed with its fields, an
 * HTML page quoted in an exception, a JSON line: one record each), each record that speaks of an error is
 * read by the seam (readErrorText) and diagnosed, and the errors are counted by diagnosis (groups.ts).
 */
import type { Diagnosis } from '../core/types.js';
import { readErrorText } from '../readers/index.js';
import { diagnose } from '../diagnosis/engine.js';
import { stampOfLine, type Stamp } from './timestamps.js';
import { RecordGatherer, type Rec } from './records.js';
import { isLogLine, readJsonLogLine } from './jsonlog.js';
import { speaksOfError } from './detect.js';
import { exampleOf, LEADING_STAMP, modelNamedIn } from './example.js';
import { parseJson } from '../core/json-depth.js';

/** One error found in the log. */
export interface LogError {
  /** 1-based: the n-th error of the log. */
  n: number;
  diagnosis: Diagnosis;
  /** Line number (1-based) where the error's record starts. */
  line: number;
  time?: Stamp;
  /** One line for a person (not yet redacted: the output layer and groups.ts redact). */
  example: string;
  /** The model the error names, when it names one. */
  model?: string;
}

interface Reading {
  diagnosis: Diagnosis;
  isError: boolean;
}

/** Texts that differ only in numbers and ids are read once (bounded cache). */
function cacheKey(text: string, status: number | undefined): string {
  const t = text.length > 8192 ? text.slice(0, 8192) : text;
  return `${status ?? ''}\u0000${t.replace(/\b(?=[A-Za-z_-]*\d)(?=\d*[A-Za-z])[A-Za-z0-9_-]{12,}\b/g, '#').replace(/\d+/g, (d) => (d.length === 3 ? d : '0'))}`;
}

export class LogScanner {
  errors = 0;
  /** The records that were errors: first and last line of the first one (to tell a single text from a log). */
  firstErrorSpan?: { first: number; last: number };

  private readonly records: RecordGatherer;
  private pending: { rec: Rec; text: string; reading: Reading } | undefined;
  private readonly cache = new Map<string, Reading>();

  constructor(
    private readonly onError: (e: LogError) => void,
    private readonly now: number = Date.now(),
  ) {
    this.records = new RecordGatherer(
      (r) => this.readRecord(r),
      () => this.emitPending(),
    );
  }

  /** Lines read so far. */
  get lines(): number {
    return this.records.lines;
  }
  /** Lines that were longer than the reader keeps (their head was read). */
  get cutLines(): number {
    return this.records.cutLines;
  }
  /** Lines with something on them. */
  get nonBlank(): number {
    return this.records.nonBlank;
  }
  get firstNonBlank(): number {
    return this.records.firstNonBlank;
  }
  get lastNonBlank(): number {
    return this.records.lastNonBlank;
  }

  /** Feeds decoded text. */
  push(text: string): void {
    this.records.push(text);
  }

  /** Ends the input: the last line and the open record are read. */
  end(): void {
    this.records.end();
    this.emitPending();
  }

  /**
   * Reads the open record now, without waiting for the line that would end it (for --follow, when the
   * input has been quiet): a stack trace is written at once, so what arrived is the whole of it.
   */
  flush(): void {
    this.records.finish();
    this.emitPending();
  }

  private readRecord(r: Rec): void {
    let text: string;
    let status: number | undefined;
    let headers: Record<string, string> | undefined;
    let time: Stamp | undefined;
    let example: string;
    let parsed: Record<string, unknown> | undefined;
    if (r.json) {
      try {
        const v = parseJson(r.lines[0]!) as unknown;
        // a logger's line; a bare response body on a line of its own is read as text, like any other
        if (v && typeof v === 'object' && !Array.isArray(v) && isLogLine(v as Record<string, unknown>))
          parsed = v as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
    }
    if (parsed) {
      const j = readJsonLogLine(parsed, this.now);
      const quiet = j.level === 'info' || j.level === 'debug';
      const says = j.hasErrorFields || (!quiet && speaksOfError(j.message || r.lines[0]!));
      if (!says) return this.emitPending();
      text = j.text || r.lines[0]!;
      status = j.status;
      headers = j.headers;
      time = j.time;
      example = j.example;
    } else {
      const head = r.lines[0]!;
      time = r.dated || head.includes('[') ? stampOfLine(head, this.now) : undefined;
      // the time is read apart; the reader gets the error's own words
      text = r.dated ? [head.replace(LEADING_STAMP, ''), ...r.lines.slice(1)].join('\n') : r.lines.join('\n');
      example = exampleOf(r.lines);
    }
    const reading = this.read(text, status, headers);
    if (!reading.isError) return this.emitPending();
    // An error line with nothing readable, right before another error: one error told in two lines
    // (`ERROR call failed` then the exception), read together.
    const p = this.pending;
    if (p) {
      this.pending = undefined;
      if (!parsed && !r.dated && p.rec.last === r.first - 1) {
        const joined = `${p.text}\n${text}`;
        const both = this.read(joined, status, headers);
        if (readable(both))
          return this.emit(
            { ...r, first: p.rec.first, lines: [...p.rec.lines, ...r.lines] },
            both,
            time ?? stampOfLine(p.rec.lines[0]!, this.now),
            exampleOf([...p.rec.lines, ...r.lines]),
          );
      }
      this.emit(p.rec, p.reading, p.rec.dated ? stampOfLine(p.rec.lines[0]!, this.now) : undefined, exampleOf(p.rec.lines));
    }
    if (!parsed && !readable(reading) && r.count <= 2) {
      this.pending = { rec: r, text, reading };
      return;
    }
    this.emit(r, reading, time, example);
  }

  private emitPending(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.emit(
      p.rec,
      p.reading,
      p.rec.dated || p.rec.lines[0]!.includes('[') ? stampOfLine(p.rec.lines[0]!, this.now) : undefined,
      exampleOf(p.rec.lines),
    );
  }

  private read(text: string, status: number | undefined, headers: Record<string, string> | undefined): Reading {
    const key = cacheKey(text, status);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const t = readErrorText(text, { status, headers });
    const reading: Reading = { diagnosis: diagnose(t.failure), isError: t.isError };
    if (this.cache.size >= 2000) this.cache.clear();
    this.cache.set(key, reading);
    return reading;
  }

  private emit(r: Rec, reading: Reading, time: Stamp | undefined, example: string): void {
    const n = ++this.errors;
    if (n === 1) this.firstErrorSpan = { first: r.first, last: r.last };
    // the model is looked for in the whole record (a JSON line's other fields too), not only what was read;
    // only the server errors' models are told (groups.ts), so only theirs are looked for
    const model =
      reading.diagnosis.category === 'server' ? modelNamedIn(r.lines.length === 1 ? r.lines[0]! : r.lines.join('\n')) : undefined;
    this.onError({ n, diagnosis: reading.diagnosis, line: r.first, time, example, model });
  }
}

/** A reading that found something: a status, a transport error, or any diagnosis but the catch-all. */
function readable(r: Reading): boolean {
  return r.diagnosis.id !== 'http.unexpected-status' || r.diagnosis.evidence.status !== undefined;
}
