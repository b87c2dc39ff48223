/**
 * Timestamps as logs write them, read into one comparable value and an ISO 8601 text: ISO 8601 and
 * its common variants (Python's `2024-05-01 12:00:00,123`, Go's `2024/05/01 12:00:00`), syslog's
 * `May  1 12:00:00` (no year: the current one), the Common Log Format's `[10/Oct/2024:13:55:36 -0700]`,
 * and epoch numbers in JSON fields (pino's `time` in ms, zap's `ts` in seconds).
 * A time with no zone is shown with none (the log did not say which); it is compared as if UTC.
 */

export interface Stamp {
  /** For ordering: ms since the epoch (a zoneless time read as UTC). */
  ms: number;
  /** ISO 8601: with Z when the zone was known, without a zone when the log gave none. */
  iso: string;
}

/** A line starts with a date: the head of a log record (cheap test, anchored). */
export const STARTS_WITH_DATE =
  /^\[?(?:\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}|[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}|\d{2}:\d{2}:\d{2}[.,]\d)/;

const ISO = /^\[?(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?/;
const SYSLOG = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})/;
const CLF = /\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function build(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  frac: string | undefined,
  zone: string | undefined,
): Stamp | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const msPart = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let ms = Date.UTC(y, mo - 1, d, h, mi, s, msPart);
  if (!Number.isFinite(ms)) return undefined;
  if (zone === undefined) {
    const iso = `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${frac ? `.${frac.slice(0, 3).padEnd(3, '0')}` : ''}`;
    return { ms, iso };
  }
  if (zone !== 'Z' && zone !== 'UTC' && zone !== 'GMT') {
    const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!m) return undefined;
    const off = (Number(m[2]) * 60 + Number(m[3])) * 60_000;
    ms -= m[1] === '+' ? off : -off;
  }
  return { ms, iso: new Date(ms).toISOString() };
}

/** The timestamp a plain log line starts with (or, for the Common Log Format, carries in brackets). */
export function stampOfLine(line: string, now: number): Stamp | undefined {
  const head = line.length > 200 ? line.slice(0, 200) : line;
  let m = ISO.exec(head);
  if (m) return build(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7], m[8]);
  m = SYSLOG.exec(head);
  if (m) {
    const mo = MONTHS.indexOf(m[1]!) + 1;
    if (mo === 0) return undefined;
    // syslog has no year: the current one, or the last one for a date that would be in the future
    let y = new Date(now).getUTCFullYear();
    const t = build(y, mo, +m[2]!.trim(), +m[3]!, +m[4]!, +m[5]!, undefined, undefined);
    if (t && t.ms > now + 86_400_000) return build(--y, mo, +m[2]!.trim(), +m[3]!, +m[4]!, +m[5]!, undefined, undefined);
    return t;
  }
  m = CLF.exec(head);
  if (m) {
    const mo = MONTHS.indexOf(m[2]!) + 1;
    return mo === 0 ? undefined : build(+m[3]!, mo, +m[1]!, +m[4]!, +m[5]!, +m[6]!, undefined, m[7]);
  }
  return undefined;
}

/** A timestamp field of a JSON log line: an ISO text, or an epoch number (ms, or s when it is that small). */
export function stampOfValue(v: unknown, now: number): Stamp | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    const ms = v > 1e11 ? v : v * 1000; // seconds until the year 5138
    if (ms > now + 10 * 365 * 86_400_000) return undefined;
    return { ms, iso: new Date(ms).toISOString() };
  }
  if (typeof v === 'string' && v.length >= 10 && v.length <= 64) {
    if (/^\d+(?:\.\d+)?$/.test(v)) return stampOfValue(Number(v), now);
    return stampOfLine(v, now);
  }
  return undefined;
}
