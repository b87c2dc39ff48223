/** Key list times without a Date per key: canonical UTC timestamps read and written by hand, days cached. */

import { DAY_MS } from '../core/format.js';

// ── times without a Date per key ───────────────────────────────────────────────────────────

/** Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export const DAYS_IN = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written by the digits s[from, to), or -1 when one is not a digit. */
function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The milliseconds of a timestamp written exactly as Date#toISOString writes it ("2026-01-31T12:00:00.000Z"),
 * so that isoText gives the same text back; undefined for any other text (kept as it came). Read digit by
 * digit: no RegExp match, no Date.
 */
export function canonicalTime(s: string): number | undefined {
  if (s.length !== 24) return undefined;
  // The separators of "2026-01-31T12:00:00.000Z": - - T : : . Z
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 ||
    s.charCodeAt(23) !== 90
  )
    return undefined;
  const y = digits(s, 0, 4),
    mo = digits(s, 5, 7),
    d = digits(s, 8, 10),
    h = digits(s, 11, 13),
    mi = digits(s, 14, 16),
    sec = digits(s, 17, 19),
    ms = digits(s, 20, 23);
  if (y < 0 || ms < 0) return undefined;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN[mo - 1]! + (leap ? 1 : 0) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
    return undefined;
  return daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

/** "2026-01-31" of a day number, cached: a key list has far fewer days than keys. */
const dayCache = new Map<number, string>();
function dayOf(days: number): string {
  let s = dayCache.get(days);
  if (s === undefined) {
    // civil_from_days
    const z = days + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp + (mp < 10 ? 3 : -9);
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    s = `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
    if (dayCache.size > 100_000) dayCache.clear();
    dayCache.set(days, s);
  }
  return s;
}

export function dayText(t: number): string {
  return dayOf(Math.floor(t / DAY_MS));
}

const p2 = (n: number) => (n < 10 ? '0' : '') + n;

/** Date#toISOString of a canonical time, from the cached day. */
export function isoText(t: number): string {
  const days = Math.floor(t / DAY_MS);
  let r = t - days * DAY_MS;
  const ms = r % 1000;
  r = (r - ms) / 1000;
  const sec = r % 60;
  r = (r - sec) / 60;
  const mi = r % 60;
  const h = (r - mi) / 60;
  return `${dayOf(days)}T${p2(h)}:${p2(mi)}:${p2(sec)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}
