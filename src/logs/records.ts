/**
 * Lines into records, in bounded memory: a stack trace, a Python traceback with its chained exceptions, a
 * Node error printed with its fields, an HTML page quoted in an exception, a JSON line — one record each;
 * a record is marked a candidate when a line of it speaks of an error (minding its level). The scanner
 * (scan.ts) reads the candidates. This runs for every line of a log: the tests are ordered cheapest first.
 */
import { LineSplitter } from './lines.js';
import { STARTS_WITH_DATE } from './timestamps.js';
import { looksLikeError } from '../readers/index.js';
import { levelOfLine, notOnlyNumbers, speaksOfError, strongSign } from './detect.js';
import { EXCEPTION_LINE } from './example.js';

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

/** A record: its lines (up to the bounds above), where it starts and ends, and what is known of it. */
export interface Rec {
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

/**
 * Gathers lines into records. `onRecord` gets each complete record that speaks of an error (it may keep
 * it); `onOther` is told when a record that does not ends (its object is reused for the next one).
 */
export class RecordGatherer {
  /** Lines read so far. */
  lines = 0;
  /** Lines that were longer than the reader keeps (their head was read). */
  cutLines = 0;
  /** Lines with something on them. */
  nonBlank = 0;
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

  constructor(
    private readonly onRecord: (r: Rec) => void,
    private readonly onOther: () => void,
  ) {
    this.splitter = new LineSplitter((line, cut) => this.line(line, cut));
  }

  /** Feeds decoded text. */
  push(text: string): void {
    this.splitter.push(text);
  }

  /** Ends the input: the last line is read and the open record finished. */
  end(): void {
    this.splitter.end();
    this.finish();
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

  /** The open record is complete: handed on if it speaks of an error. */
  finish(): void {
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
        this.onOther();
      }
      return;
    }
    this.onRecord(r);
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
