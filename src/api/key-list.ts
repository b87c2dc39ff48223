import { matchKeyRecord, toKeyRecords, type KeyRecord } from './account.js';

/**
 * GET /api/keys's list kept column by column: an id, a flag and two times per key in typed arrays, the name
 * and prefix as strings, and no object per key. A list of 100,000 keys parsed by JSON.parse into objects,
 * copied into records and then into views made about a million objects that all lived to the end: the
 * garbage collector's copying of them was most of `keys`'s time and memory. Views are made one at a time,
 * when a row is printed, and die young.
 */

const DAY_MS = 86_400_000;
/** A time column's value for "no such field" (a key that never expires, a record without createdAt). */
const MISSING = -Infinity;
/** A time column's value for "a field whose text is not a canonical UTC timestamp": its text is in `rawTimes`. */
const RAW = Infinity;

export class KeyList {
  length = 0;
  private cap = 0;
  private ids = new Float64Array(0);
  /** 1 = active (anything but `false`, as toKeyRecords reads it). */
  private act = new Uint8Array(0);
  private created = new Float64Array(0);
  private expires = new Float64Array(0);
  private names: Array<string | undefined> = [];
  private prefixes: string[] = [];
  /** Times kept as text: index 2·i for createdAt, 2·i + 1 for expiresAt. */
  private rawTimes = new Map<number, string>();
  /** The index of the configured key, or -1. */
  configured = -1;

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    const f = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.ids = f(this.ids);
    this.created = f(this.created);
    this.expires = f(this.expires);
    const a = new Uint8Array(cap);
    a.set(this.act);
    this.act = a;
    this.cap = cap;
  }

  /** Adds one key; times are the API's text (or undefined). */
  push(
    id: number,
    name: string | undefined,
    prefix: string,
    active: boolean,
    createdAt: string | undefined,
    expiresAt: string | undefined,
  ): void {
    if (this.length === this.cap) this.grow();
    const i = this.length++;
    this.ids[i] = id;
    this.act[i] = active ? 1 : 0;
    this.names.push(name);
    this.prefixes.push(prefix);
    this.created[i] = this.time(2 * i, createdAt);
    this.expires[i] = this.time(2 * i + 1, expiresAt);
  }

  private time(slot: number, text: string | undefined): number {
    if (text === undefined) return MISSING;
    const t = canonicalTime(text);
    if (t !== undefined) return t;
    this.rawTimes.set(slot, text);
    return RAW;
  }

  id(i: number): number {
    return this.ids[i]!;
  }
  name(i: number): string | undefined {
    return this.names[i];
  }
  prefix(i: number): string {
    return this.prefixes[i]!;
  }
  active(i: number): boolean {
    return this.act[i] === 1;
  }
  /** The API's createdAt text, or null. */
  createdAt(i: number): string | null {
    return this.timeText(2 * i, this.created[i]!);
  }
  expiresAt(i: number): string | null {
    return this.timeText(2 * i + 1, this.expires[i]!);
  }
  private timeText(slot: number, t: number): string | null {
    if (t === MISSING) return null;
    if (t === RAW) return this.rawTimes.get(slot)!;
    return isoText(t);
  }
  /** "2026-01-31" for a time column, without a Date: the table's CREATED and EXPIRES cells. */
  createdDay(i: number): string | undefined {
    const t = this.created[i]!;
    return t === MISSING || t === RAW ? undefined : dayText(t);
  }
  expiresDay(i: number): string | undefined {
    const t = this.expires[i]!;
    return t === MISSING || t === RAW ? undefined : dayText(t);
  }
  /** Milliseconds of the expiry, NaN when there is none or it does not parse. */
  expiresMs(i: number): number {
    const t = this.expires[i]!;
    if (t === MISSING) return NaN;
    if (t === RAW) return Date.parse(this.rawTimes.get(2 * i + 1)!);
    return t;
  }

  /** Every record, as the rest of apidoctor reads them (matching a key, small lists). */
  records(): KeyRecord[] {
    const out: KeyRecord[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.record(i));
    return out;
  }
  record(i: number): KeyRecord {
    const name = this.names[i];
    const created = this.createdAt(i);
    const expires = this.expiresAt(i);
    return {
      id: this.ids[i]!,
      ...(name !== undefined ? { name } : {}),
      prefix: this.prefixes[i]!,
      active: this.act[i] === 1,
      ...(created !== null ? { createdAt: created } : {}),
      ...(expires !== null ? { expiresAt: expires } : {}),
    };
  }

  /** The list from records (another route's answer, a parsed document). */
  static fromRecords(records: KeyRecord[]): KeyList {
    const list = new KeyList();
    for (const r of records) list.push(r.id, r.name, r.prefix, r.active, r.createdAt, r.expiresAt);
    return list;
  }
}

// ── times without a Date per key ───────────────────────────────────────────────────────────

/** Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

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

// ── parsing the answer without an object per key ──────────────────────────────────────────

const FIELDS = new Set(['id', 'name', 'prefix', 'active', 'createdAt', 'created_at', 'expiresAt', 'expires_at']);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** Thrown inside the scanner: the text is not of the plain shape it reads, so the general path does. */
class NotPlain extends Error {}

/**
 * Reads `{"keys": [ {…}, … ], …}` straight into a KeyList when the document has the plain shape the API
 * answers: an object whose members are scalars or the keys array, records whose fields are scalars.
 * Anything else (nested values, a body that is not JSON) returns undefined, and the caller reads it with
 * JSON.parse, which says precisely what is wrong.
 */
export function scanKeyList(s: string): KeyList | undefined {
  try {
    return scan(s);
  } catch (e) {
    if (e instanceof NotPlain) return undefined;
    throw e;
  }
}

function scan(s: string): KeyList | undefined {
  let i = 0;
  const n = s.length;
  const ws = () => {
    let c = s.charCodeAt(i);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++i);
    return c;
  };
  const expect = (code: number) => {
    if (ws() !== code) throw new NotPlain();
    i++;
  };
  /** A string at i (its opening quote), decoded. */
  const str = (): string => {
    const start = i + 1;
    let end = s.indexOf('"', start);
    let escaped = false;
    while (end >= 0) {
      let b = end - 1;
      while (s.charCodeAt(b) === 92) b--;
      if ((end - 1 - b) % 2 === 0) break;
      escaped = true;
      end = s.indexOf('"', end + 1);
    }
    if (end < 0) throw new NotPlain();
    i = end + 1;
    const raw = s.slice(start, end);
    if (!escaped && raw.indexOf('\\') < 0) {
      if (CONTROL.test(raw)) throw new NotPlain();
      return raw;
    }
    try {
      return JSON.parse(s.slice(start - 1, end + 1)) as string;
    } catch {
      throw new NotPlain();
    }
  };
  /** A scalar value at i: a string, a number, true, false or null. */
  const scalar = (): string | number | boolean | null => {
    const c = ws();
    if (c === 34) return str();
    if (c === 116 && s.startsWith('true', i)) return ((i += 4), true);
    if (c === 102 && s.startsWith('false', i)) return ((i += 5), false);
    if (c === 110 && s.startsWith('null', i)) return ((i += 4), null);
    const start = i;
    let d = s.charCodeAt(i);
    while ((d >= 48 && d <= 57) || d === 45 || d === 43 || d === 46 || d === 101 || d === 69) d = s.charCodeAt(++i);
    const text = s.slice(start, i);
    if (text === '' || !NUMBER.test(text)) throw new NotPlain();
    return Number(text);
  };

  const list = new KeyList();
  let sawKeys = false;
  expect(123);
  if (ws() === 125) return undefined; // {}: no keys array (the caller says so)
  for (;;) {
    if (ws() !== 34) throw new NotPlain();
    const member = str();
    expect(58);
    if (member === 'keys') {
      // A second "keys" member replaces the first, as JSON.parse reads it.
      if (sawKeys) throw new NotPlain();
      sawKeys = true;
      expect(91);
      if (ws() === 93) i++;
      else {
        for (;;) {
          expect(123);
          let id: unknown,
            name: unknown,
            prefix: unknown,
            active: unknown,
            created: unknown,
            createdSnake: unknown,
            expires: unknown,
            expiresSnake: unknown;
          if (ws() === 125) i++;
          else {
            for (;;) {
              if (ws() !== 34) throw new NotPlain();
              const f = str();
              expect(58);
              const c = ws();
              if (c === 123 || c === 91) throw new NotPlain();
              const v = scalar();
              if (FIELDS.has(f)) {
                if (f === 'id') id = v;
                else if (f === 'name') name = v;
                else if (f === 'prefix') prefix = v;
                else if (f === 'active') active = v;
                else if (f === 'createdAt') created = v;
                else if (f === 'created_at') createdSnake = v;
                else if (f === 'expiresAt') expires = v;
                else expiresSnake = v;
              }
              const e = ws();
              i++;
              if (e === 125) break;
              if (e !== 44) throw new NotPlain();
            }
          }
          // As toKeyRecords reads a record: no id (number or string), no key.
          if (typeof id === 'number' || typeof id === 'string') {
            const cr = created ?? createdSnake;
            const ex = expires ?? expiresSnake;
            list.push(
              Number(id),
              typeof name === 'string' ? name : undefined,
              typeof prefix === 'string' ? prefix : '',
              active !== false,
              typeof cr === 'string' ? cr : undefined,
              typeof ex === 'string' ? ex : undefined,
            );
          }
          const e = ws();
          i++;
          if (e === 93) break;
          if (e !== 44) throw new NotPlain();
        }
      }
    } else {
      const c = ws();
      if (c === 123 || c === 91) throw new NotPlain();
      scalar();
    }
    const e = ws();
    i++;
    if (e === 125) break;
    if (e !== 44) throw new NotPlain();
  }
  ws();
  if (i < n) throw new NotPlain();
  return sawKeys ? list : undefined;
}

/**
 * The index of the key `key` is, matched by prefix as matchKeyRecord does (the longest prefix wins), or -1.
 * Only the keys whose prefix, padding removed, starts the key are candidates: a handful, not the list.
 */
export function matchIndex(list: KeyList, key: string | undefined): number {
  if (!key) return -1;
  const k = key.trim();
  const idx: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const p = list.prefix(i);
    if (p.length >= 5 && k.startsWith(p.replace(PADDING, ''))) idx.push(i);
  }
  if (idx.length === 0) return -1;
  const records = idx.map((i) => list.record(i));
  const hit = matchKeyRecord(records, k);
  return hit ? idx[records.indexOf(hit)]! : -1;
}
const PADDING = /[x*…\u2026.]+$/i;

/** The list from any document JSON.parse read (the general path). */
export function keyListFrom(data: unknown): KeyList {
  return KeyList.fromRecords(toKeyRecords(data));
}
