/**
 * The log scanner: lines in, errors out, in bounded memory. Lines are gathered into records (a stack
 * trace, a Python traceback with its chained exceptions, a Node error printed with its fields, an HTML
 * page quoted in an exception, a JSON line: one record each), each record that speaks of an error is
 * read by the seam (readErrorText) and diagnosed, and the errors are counted by diagnosis (groups.ts).
 */
import type { Diagnosis } from '../core/types.js';
import { readErrorText } from '../readers/index.js';
import { diagnose } from '../diagnosis/engine.js';
import { LineSplitter } from './lines.js';
import { STARTS_WITH_DATE, stampOfLine, type Stamp } from './timestamps.js';
import { isLogLine, readJsonLogLine } from './jsonlog.js';
import { looksLikeError } from '../readers/index.js';
import { levelOfLine, notOnlyNumbers, speaksOfError, strongSign } from './detect.js';
import { EXCEPTION_LINE, exampleOf, LEADING_STAMP, modelNamedIn } from './example.js';
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

/** Records keep at most this many lines and characters; the rest of a longer record is skipped. */
const MAX_RECORD_LINES = 400;
const MAX_RECORD_CHARS = 256 * 1024;
/** An open bracket or HTML page never closed stops holding lines together after this many. */
const MAX_OPEN_LINES = 300;

const CONTINUES =
  /^(?:Caused by:|Suppressed:|During handling of the above exception|The above exception was the direct cause|\.\.\. \d+ (?:more|common frames omitted)|[}\])][\s,;)\]}]*$)/;
/** A dated line logged at INFO, DEBUG or TRACE (Python, logback, Go, Rails… put the level after the date). */
const QUIET_DATED =
  /^\[?\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\]?\s+\[?(?:INFO|DEBUG|TRACE|info|debug|trace)\b/;
/** A JSON line whose first field says INFO or below (pino's level 30, winston's "info"). */
const QUIET_JSON = /^\{\s*"(?:level|severity)"\s*:\s*(?:[1-3]\d\b|"(?:info|debug|trace|INFO|DEBUG|TRACE)")/;
/** A quiet JSON line with a field an error would be in (what readJsonLogLine's hasErrorFields looks at). */
const ERROR_FIELD = /"(?:err|exc|cause"|stack)|tatus(?:Code|_code)?"\s*:\s*"?[45]\d\d\b/;
const jsonErrorFields = (line: string): boolean => ERROR_FIELD.test(line);
/** The first characters CONTINUES can match. */
const CONTINUES_FIRST = new Set([...'CSDT.}])'].map((c) => c.charCodeAt(0)));
// At the start of a line, or after a log line's prefix (`2024-05-01 16:23:00,000 ERROR Traceback …`, logging.exception).
const TRACEBACK = /(?:^|\s)Traceback \(most recent call last\):\s*$/;
const CHAINED = /^(?:During handling of the above exception|The above exception was the direct cause)/;

interface Rec {
  lines: string[];
  chars: number;
  first: number;
  last: number;
  count: number;
  json: boolean;
  dated: boolean;
  candidate: boolean;
  levelChecked: boolean;
  quietLevel: boolean;
  cut: boolean;
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
  /** Lines read so far. */
  lines = 0;
  /** Lines that were longer than the reader keeps (their head was read). */
  cutLines = 0;
  /** Lines with something on them. */
  nonBlank = 0;
  errors = 0;
  /** The records that were errors: first and last line of the first one (to tell a single text from a log). */
  firstErrorSpan?: { first: number; last: number };
  firstNonBlank = 0;
  lastNonBlank = 0;

  private readonly splitter: LineSplitter;
  private rec: Rec | undefined;
  private blanks = 0;
  private depth = 0;
  private html = false;
  private openLines = 0;
  private inTraceback = false;
  /** The last line was Python's "The above exception was the direct cause…": a traceback follows. */
  private afterChained = false;
  private pending: { rec: Rec; text: string; reading: Reading } | undefined;
  private readonly cache = new Map<string, Reading>();

  constructor(
    private readonly onError: (e: LogError) => void,
    private readonly now: number = Date.now(),
  ) {
    this.splitter = new LineSplitter((line, cut) => this.line(line, cut));
  }

  /** Feeds decoded text. */
  push(text: string): void {
    this.splitter.push(text);
  }

  /** Ends the input: the last line and the open record are read. */
  end(): void {
    this.splitter.end();
    this.flush();
  }

  /**
   * Reads the open record now, without waiting for the line that would end it (for --follow, when the
   * input has been quiet): a stack trace is written at once, so what arrived is the whole of it.
   */
  flush(): void {
    this.finish();
    this.emitPending();
  }

  private line(line: string, cut: boolean): void {
    const n = ++this.lines;
    if (cut) this.cutLines++;
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && !/\S/.test(line))) {
      if (this.rec) this.blanks++;
      return;
    }
    this.nonBlank++;
    if (this.firstNonBlank === 0) this.firstNonBlank = n;
    this.lastNonBlank = n;
    const rec = this.rec;
    if (rec && this.continues(rec, line)) {
      rec.last = n;
      rec.count++;
      if (rec.cut || rec.lines.length >= MAX_RECORD_LINES || rec.chars + line.length > MAX_RECORD_CHARS) rec.cut = true;
      else {
        if (this.blanks > 0) rec.lines.push('');
        rec.lines.push(line);
        rec.chars += line.length + 1;
      }
    } else {
      this.finish();
      // one record object serves every line that is not an error; a record that is one is handed on
      const r = (this.rec = this.spare ?? newRec());
      this.spare = undefined;
      const c0 = line.charCodeAt(0);
      r.json = c0 === 123 && line.charCodeAt(line.length - 1) === 125;
      // (a reused record most often held one line: overwritten, not emptied and pushed)
      if (r.lines.length === 1) r.lines[0] = line;
      else {
        r.lines.length = 0;
        r.lines.push(line);
      }
      r.chars = line.length;
      r.first = r.last = n;
      r.count = 1;
      r.candidate = r.levelChecked = r.quietLevel = false;
      if (r.json) {
        // a logger's INFO/DEBUG line (pino, winston put the level first) is an error only by its fields
        if (QUIET_JSON.test(line)) r.levelChecked = r.quietLevel = true;
        r.dated = false;
      } else if ((c0 >= 48 && c0 <= 57) || c0 === 91) {
        // most lines of most logs: a date, then INFO or DEBUG — known at once, without the word test
        if (QUIET_DATED.test(line)) r.dated = r.levelChecked = r.quietLevel = true;
        else r.dated = STARTS_WITH_DATE.test(line);
      } else r.dated = c0 >= 65 && c0 <= 90 && STARTS_WITH_DATE.test(line);
      r.cut = cut;
    }
    this.blanks = 0;
    const r = this.rec!;
    if (!r.json) this.track(line);
    if (!r.candidate) r.candidate = r.json ? (r.quietLevel ? jsonErrorFields(line) : speaksOfError(line)) : this.speaks(r, line);
  }

  /** A record object to reuse (the last one, when it was not an error). */
  private spare: Rec | undefined;

  /** Does a line of this record say it is an error (minding the record's level)? */
  private speaks(r: Rec, line: string): boolean {
    if (r.quietLevel) return strongSign(line);
    if (!looksLikeError(line)) return false;
    if (!r.levelChecked) {
      r.levelChecked = true;
      const level = levelOfLine(r.lines[0]!);
      r.quietLevel = level === 'info' || level === 'debug';
    }
    // at INFO or DEBUG only a strong sign counts (which no bare number is); else the words, minus bare numbers
    return r.quietLevel ? strongSign(line) : notOnlyNumbers(line);
  }

  /** Does this line belong to the open record? */
  private continues(r: Rec, line: string): boolean {
    if (r.json) return false;
    const c0 = line.charCodeAt(0);
    if ((this.depth > 0 || this.html) && this.openLines < MAX_OPEN_LINES) return true;
    if (this.blanks > 0)
      return CHAINED.test(line) || (this.afterChained && TRACEBACK.test(line)) || (this.inTraceback && (c0 === 32 || c0 === 9));
    if (c0 === 32 || c0 === 9) return true;
    if (this.inTraceback) {
      // the exception line that ends a Python traceback
      this.inTraceback = false;
      return true;
    }
    // (each pattern tried only on lines whose first character it can start with: this runs for every line)
    if (CONTINUES_FIRST.has(c0) && CONTINUES.test(line)) return true;
    if (c0 === 84 /* T */ && TRACEBACK.test(line)) return r.count <= 3;
    // an exception's own line right under a dated log line (logback/log4j: the message, then the exception)
    return (
      r.dated && r.count === 1 && (line.includes('Error') || line.includes('Exception')) && EXCEPTION_LINE.test(line) && this.loudHead(r)
    );
  }

  /** The record's head is logged at WARN or above, or says it is an error (so an exception under it is its own). */
  private loudHead(r: Rec): boolean {
    const level = levelOfLine(r.lines[0]!);
    return level === 'error' || level === 'warn' || (level === undefined && r.candidate);
  }

  /** Follows the structure that holds lines together: tracebacks, open brackets, HTML pages. */
  private track(line: string): void {
    if (line.includes('Traceback (most') && TRACEBACK.test(line)) this.inTraceback = true;
    const c0 = line.charCodeAt(0);
    this.afterChained = (c0 === 68 /* D */ || c0 === 84) /* T */ && CHAINED.test(line);
    if (this.depth > 0 || this.html) this.openLines++;
    if (this.depth > 0) {
      this.depth += bracketBalance(line);
      if (this.depth <= 0 || this.openLines >= MAX_OPEN_LINES) this.depth = 0;
    } else {
      // a line ending in { or [ opens a structure (Node's inspect of an error's fields, a JSON body);
      // not inside a Python traceback, whose source lines are code
      let end = line.length - 1;
      while (end > 0 && line.charCodeAt(end) <= 32) end--;
      const ch = line.charCodeAt(end);
      if ((ch === 123 || ch === 91) && !this.inTraceback) {
        this.depth = Math.max(1, bracketBalance(line));
        this.openLines = 0;
      }
    }
    if (line.includes('<')) {
      if (this.html) {
        if (/<\/html>/i.test(line) || this.openLines >= MAX_OPEN_LINES) this.html = false;
      } else if (/<html|<!doctype html/i.test(line) && !/<\/html>/i.test(line)) {
        this.html = true;
        this.openLines = 0;
      }
    }
  }

  /** The open record is complete: read it if it speaks of an error. */
  private finish(): void {
    const r = this.rec;
    this.rec = undefined;
    this.depth = 0;
    this.html = false;
    this.inTraceback = false;
    this.afterChained = false;
    this.blanks = 0;
    if (!r || !r.candidate) {
      if (r) {
        this.spare = r;
        this.emitPending();
      }
      return;
    }
    this.readRecord(r);
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

function newRec(): Rec {
  return {
    lines: [],
    chars: 0,
    first: 0,
    last: 0,
    count: 0,
    json: false,
    dated: false,
    candidate: false,
    levelChecked: false,
    quietLevel: false,
    cut: false,
  };
}

/** A reading that found something: a status, a transport error, or any diagnosis but the catch-all. */
function readable(r: Reading): boolean {
  return r.diagnosis.id !== 'http.unexpected-status' || r.diagnosis.evidence.status !== undefined;
}

/** Opening minus closing brackets on a line (quotes are not parsed: an estimate, bounded by MAX_OPEN_LINES). */
function bracketBalance(line: string): number {
  let b = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 123 || c === 91 || c === 40) b++;
    else if (c === 125 || c === 93 || c === 41) b--;
  }
  return b;
}
