import { matchKeyRecord, toKeyRecords, type KeyRecord } from './account.js';

/**
 * GET /api/keys's list kept column by column: an id, flags and two times per key in typed arrays, and the
 * names and prefixes as their UTF-8 bytes one after another in one buffer; no object and no string per key.
 * A list of 100,000 keys parsed by JSON.parse into objects, copied into records and then into views made
 * about a million objects that all lived to the end: the garbage collector's copying of them was most of
 * `keys`'s time and memory. A million keys take about 60 MB here, outside the JavaScript heap. Strings and
 * views are made one at a time, when a row is printed, and die young.
 */

const DAY_MS = 86_400_000;
/** A time column's value for "no such field" (a key that never expires, a record without createdAt). */
const MISSING = -Infinity;
/** A time column's value for "a field whose text is not a canonical UTC timestamp": its text is in `rawTimes`. */
const RAW = Infinity;

/** Flags: active (anything but `false`, as toKeyRecords reads it), has a name, and name / prefix kept as a string. */
const F_ACTIVE = 1;
const F_NAME = 2;
const F_NAME_STRING = 4;
const F_PREFIX_STRING = 8;
/** Name and prefix are printable ASCII (0x20–0x7e): their bytes are their characters, and oneLine leaves them. */
const F_NAME_ASCII = 16;
const F_PREFIX_ASCII = 32;

/**
 * The most keys and bytes of names and prefixes a list holds (about 50 MB of columns and 32 MiB of text at most):
 * a scanned answer past either is refused as too large, whatever its size in bytes, so that an endless key list
 * cannot fill memory. An account has a few hundred keys; a million keys (120 MB of JSON) are read.
 */
export const MAX_KEYS = 1_500_000;
export const MAX_TEXT_BYTES = 32 * 1024 * 1024;

/** Keys per segment of a column: columns grow a segment at a time, never copied (no moment with two copies). */
const SEG_BITS = 16;
const SEG = 1 << SEG_BITS;
const SEG_MASK = SEG - 1;
/** Names and prefixes are kept in blocks of 1 MiB; one longer than BLOCK_ITEM is kept as a string. */
const BLOCK_BITS = 20;
const BLOCK = 1 << BLOCK_BITS;
const BLOCK_ITEM = 65_535;
const ID_ELSEWHERE = -0x80000000;

export class KeyList {
  length = 0;
  /** Ids that are 32-bit integers (all of them, from the API); any other is ID_ELSEWHERE here and kept in `otherIds`. */
  private ids: Int32Array[] = [];
  private otherIds = new Map<number, number>();
  private flags: Uint8Array[] = [];
  private created: Float64Array[] = [];
  private expires: Float64Array[] = [];
  /** Key i's name is nameLength bytes of the text from nameStart, its prefix prefixLength bytes after it; never across two blocks. */
  private nameStart: Uint32Array[] = [];
  private nameLength: Uint16Array[] = [];
  private prefixLength: Uint16Array[] = [];
  /** The names' and prefixes' UTF-8 bytes, in blocks of BLOCK bytes. */
  private blocks: Buffer[] = [];
  private textLength = 0;
  /** Names and prefixes kept as strings (from an escaped JSON string, whose exact text UTF-8 may not hold): 2·i name, 2·i + 1 prefix. */
  private strings = new Map<number, string>();
  /** Times kept as text: index 2·i for createdAt, 2·i + 1 for expiresAt. */
  private rawTimes = new Map<number, string>();
  /** The index of the configured key, or -1. */
  configured = -1;

  private grow(): void {
    this.ids.push(new Int32Array(SEG));
    this.created.push(new Float64Array(SEG));
    this.expires.push(new Float64Array(SEG));
    this.nameStart.push(new Uint32Array(SEG));
    this.nameLength.push(new Uint16Array(SEG));
    this.prefixLength.push(new Uint16Array(SEG));
    this.flags.push(new Uint8Array(SEG));
  }

  /** Where the next `n` bytes of text go (n ≤ BLOCK_ITEM · 2): in the current block, or at the start of a new one. */
  private room(n: number): number {
    let at = this.textLength;
    if ((at & (BLOCK - 1)) + n > BLOCK) at = ((at >>> BLOCK_BITS) + 1) << BLOCK_BITS;
    while (this.blocks.length <= Math.max(at, at + n - 1) >>> BLOCK_BITS) this.blocks.push(Buffer.allocUnsafe(BLOCK));
    this.textLength = at;
    return at;
  }

  /** Appends bytes src[from, to) at the text's end (room made); true when they are all printable ASCII. */
  private appendBytes(src: Uint8Array, from: number, to: number): boolean {
    const t = this.blocks[this.textLength >>> BLOCK_BITS]!;
    let o = this.textLength & (BLOCK - 1);
    let ascii = true;
    for (let j = from; j < to; j++) {
      const c = src[j]!;
      if (c < 0x20 || c > 0x7e) ascii = false;
      t[o++] = c;
    }
    this.textLength += to - from;
    return ascii;
  }

  /** Appends a string (room made for its `bytes`), or keeps it whole (`bytes` −1, see textBytes); its flags. */
  private appendString(i: number, slot: number, s: string, bytes: number, asString: number, ascii: number): number {
    if (bytes >= 0) {
      const t = this.blocks[this.textLength >>> BLOCK_BITS]!;
      this.textLength += t.write(s, this.textLength & (BLOCK - 1), 'utf8');
      return /^[\x20-\x7e]*$/.test(s) ? ascii : 0;
    }
    this.strings.set(2 * i + slot, s);
    return asString;
  }

  /** The bytes a string takes in the text; −1 when it is kept as a string (too long, or UTF-8 would not give it back). */
  private static textBytes(s: string): number {
    if (s.length > BLOCK_ITEM || /[\ud800-\udfff]/.test(s)) return -1;
    const n = Buffer.byteLength(s);
    return n > BLOCK_ITEM ? -1 : n;
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
    this.pushScanned(id, active, EMPTY, name === undefined ? -1 : 0, 0, name, 0, 0, prefix, MISSING, undefined, MISSING, undefined);
    const i = this.length - 1;
    this.created[i >>> SEG_BITS]![i & SEG_MASK] = this.time(2 * i, createdAt);
    this.expires[i >>> SEG_BITS]![i & SEG_MASK] = this.time(2 * i + 1, expiresAt);
  }

  /**
   * Adds one key read by the scanner: name and prefix as byte ranges of `src` (start −1: none), or as strings
   * (decoded from escapes), times as milliseconds (MISSING, or RAW with their text).
   */
  pushScanned(
    id: number,
    active: boolean,
    src: Uint8Array,
    nameFrom: number,
    nameTo: number,
    nameString: string | undefined,
    prefixFrom: number,
    prefixTo: number,
    prefixString: string | undefined,
    created: number,
    createdText: string | undefined,
    expires: number,
    expiresText: string | undefined,
  ): void {
    const i = this.length++;
    if ((i & SEG_MASK) === 0) this.grow();
    const seg = i >>> SEG_BITS;
    const k = i & SEG_MASK;
    // A name or prefix longer than BLOCK_ITEM is kept as a string.
    if (nameString === undefined && nameTo - nameFrom > BLOCK_ITEM) nameString = utf8(src as Buffer, nameFrom, nameTo);
    if (prefixString === undefined && prefixTo - prefixFrom > BLOCK_ITEM) prefixString = utf8(src as Buffer, prefixFrom, prefixTo);
    const nameBytes = nameString !== undefined ? KeyList.textBytes(nameString) : nameFrom >= 0 ? nameTo - nameFrom : 0;
    const prefixBytes = prefixString !== undefined ? KeyList.textBytes(prefixString) : prefixFrom >= 0 ? prefixTo - prefixFrom : 0;
    const start = this.room(Math.max(nameBytes, 0) + Math.max(prefixBytes, 0));
    this.nameStart[seg]![k] = start;
    let fl = active ? F_ACTIVE : 0;
    if (nameString !== undefined) fl |= F_NAME | this.appendString(i, 0, nameString, nameBytes, F_NAME_STRING, F_NAME_ASCII);
    else if (nameFrom >= 0) fl |= F_NAME | (this.appendBytes(src, nameFrom, nameTo) ? F_NAME_ASCII : 0);
    else fl |= F_NAME_ASCII;
    const nameEnd = this.textLength;
    this.nameLength[seg]![k] = nameEnd - start;
    if (prefixString !== undefined) fl |= this.appendString(i, 1, prefixString, prefixBytes, F_PREFIX_STRING, F_PREFIX_ASCII);
    else if (prefixFrom >= 0) fl |= this.appendBytes(src, prefixFrom, prefixTo) ? F_PREFIX_ASCII : 0;
    else fl |= F_PREFIX_ASCII;
    this.prefixLength[seg]![k] = this.textLength - nameEnd;
    if ((id | 0) === id && id !== ID_ELSEWHERE && !Object.is(id, -0)) this.ids[seg]![k] = id;
    else {
      this.ids[seg]![k] = ID_ELSEWHERE;
      this.otherIds.set(i, id);
    }
    this.flags[seg]![k] = fl;
    this.created[seg]![k] = created;
    if (created === RAW) this.rawTimes.set(2 * i, createdText!);
    this.expires[seg]![k] = expires;
    if (expires === RAW) this.rawTimes.set(2 * i + 1, expiresText!);
  }

  private time(slot: number, text: string | undefined): number {
    if (text === undefined) return MISSING;
    const t = canonicalTime(text);
    if (t !== undefined) return t;
    this.rawTimes.set(slot, text);
    return RAW;
  }

  private flag(i: number): number {
    return this.flags[i >>> SEG_BITS]![i & SEG_MASK]!;
  }
  id(i: number): number {
    const id = this.ids[i >>> SEG_BITS]![i & SEG_MASK]!;
    return id === ID_ELSEWHERE ? this.otherIds.get(i)! : id;
  }
  /** Key i's text [from, to) (positions in its block, see nameFrom) as a string. */
  private textOf(i: number, from: number, to: number, ascii: boolean): string {
    return this.bytes(i).toString(ascii ? 'latin1' : 'utf8', from, to);
  }
  name(i: number): string | undefined {
    const fl = this.flag(i);
    if (!(fl & F_NAME)) return undefined;
    if (fl & F_NAME_STRING) return this.strings.get(2 * i);
    return this.textOf(i, this.nameFrom(i), this.nameTo(i), (fl & F_NAME_ASCII) !== 0);
  }
  prefix(i: number): string {
    const fl = this.flag(i);
    if (fl & F_PREFIX_STRING) return this.strings.get(2 * i + 1)!;
    return this.textOf(i, this.nameTo(i), this.prefixTo(i), (fl & F_PREFIX_ASCII) !== 0);
  }
  /**
   * For the table (see plainText): key i's name is bytes(i)[nameFrom, nameTo), its prefix bytes(i)[nameTo, prefixTo),
   * positions within the block bytes(i).
   */
  nameFrom(i: number): number {
    return this.nameStart[i >>> SEG_BITS]![i & SEG_MASK]! & (BLOCK - 1);
  }
  nameTo(i: number): number {
    return this.nameFrom(i) + this.nameLength[i >>> SEG_BITS]![i & SEG_MASK]!;
  }
  prefixTo(i: number): number {
    return this.nameTo(i) + this.prefixLength[i >>> SEG_BITS]![i & SEG_MASK]!;
  }
  /** The block of key i's name and prefix. */
  bytes(i: number): Buffer {
    return this.blocks[this.nameStart[i >>> SEG_BITS]![i & SEG_MASK]! >>> BLOCK_BITS] ?? EMPTY;
  }
  /** Whether key i has a name (a string). */
  hasName(i: number): boolean {
    return (this.flag(i) & F_NAME) !== 0;
  }
  /** Whether key i's name (if any) and prefix are printable ASCII, kept as bytes: what is printed is exactly those bytes. */
  plainText(i: number): boolean {
    const fl = this.flag(i);
    return (fl & (F_NAME_ASCII | F_PREFIX_ASCII | F_NAME_STRING | F_PREFIX_STRING)) === (F_NAME_ASCII | F_PREFIX_ASCII);
  }
  /** How many bytes of names and prefixes are kept. */
  textBytes(): number {
    return this.textLength;
  }
  active(i: number): boolean {
    return (this.flag(i) & F_ACTIVE) !== 0;
  }
  private createdT(i: number): number {
    return this.created[i >>> SEG_BITS]![i & SEG_MASK]!;
  }
  private expiresT(i: number): number {
    return this.expires[i >>> SEG_BITS]![i & SEG_MASK]!;
  }
  /** The API's createdAt text, or null. */
  createdAt(i: number): string | null {
    return this.timeText(2 * i, this.createdT(i));
  }
  expiresAt(i: number): string | null {
    return this.timeText(2 * i + 1, this.expiresT(i));
  }
  private timeText(slot: number, t: number): string | null {
    if (t === MISSING) return null;
    if (t === RAW) return this.rawTimes.get(slot)!;
    return isoText(t);
  }
  /** "2026-01-31" for a time column, without a Date: the table's CREATED and EXPIRES cells. */
  createdDay(i: number): string | undefined {
    const t = this.createdT(i);
    return t === MISSING || t === RAW ? undefined : dayText(t);
  }
  expiresDay(i: number): string | undefined {
    const t = this.expiresT(i);
    return t === MISSING || t === RAW ? undefined : dayText(t);
  }
  /** The created time in milliseconds: −Infinity when there is none, +Infinity when its text is not canonical. */
  createdMs(i: number): number {
    return this.createdT(i);
  }
  /** Whether key i's times are canonical or absent (none kept as text). */
  plainTimes(i: number): boolean {
    return this.createdT(i) !== RAW && this.expiresT(i) !== RAW;
  }
  /** Milliseconds of the expiry, NaN when there is none or it does not parse. */
  expiresMs(i: number): number {
    const t = this.expiresT(i);
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
    const name = this.name(i);
    const created = this.createdAt(i);
    const expires = this.expiresAt(i);
    return {
      id: this.id(i),
      ...(name !== undefined ? { name } : {}),
      prefix: this.prefix(i),
      active: this.active(i),
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
const EMPTY = Buffer.alloc(0);

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

// ── parsing the answer without an object per key, as it arrives ───────────────────────────

/** Thrown inside the scanner: the text is not of the plain shape it reads, so the general path does. */
class NotPlain extends Error {}
/** Returned by the scanner's readers: the piece it reads goes on past the bytes at hand. */
const MORE = -1;

/** What one record of the keys array held, as the scanner reads it (reused from record to record). */
interface Fields {
  idKind: 0 | 1 | 2; // none, a number, a string
  id: number;
  nameFrom: number;
  nameTo: number;
  nameString: string | undefined;
  prefixFrom: number;
  prefixTo: number;
  prefixString: string | undefined;
  active: boolean;
  /** Per time field (createdAt, created_at, expiresAt, expires_at): 0 absent or null, 1 a string, 2 another value. */
  timeKind: [number, number, number, number];
  timeMs: [number, number, number, number];
  timeText: [string | undefined, string | undefined, string | undefined, string | undefined];
}

/** Whether b[from, …) holds the characters of `word`. */
function bytesAre(b: Buffer, from: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (b[from + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** A field's slot in Fields by its name's bytes b[from, to), or −1 for a field the list does not keep. */
function fieldOf(b: Buffer, from: number, to: number): number {
  switch (to - from) {
    case 2:
      return bytesAre(b, from, 'id') ? 0 : -1;
    case 4:
      return bytesAre(b, from, 'name') ? 1 : -1;
    case 6:
      return bytesAre(b, from, 'prefix') ? 2 : bytesAre(b, from, 'active') ? 3 : -1;
    case 9:
      return bytesAre(b, from, 'createdAt') ? 4 : bytesAre(b, from, 'expiresAt') ? 6 : -1;
    case 10:
      return bytesAre(b, from, 'created_at') ? 5 : bytesAre(b, from, 'expires_at') ? 7 : -1;
  }
  return -1;
}
const FIELD_NAMES = ['id', 'name', 'prefix', 'active', 'createdAt', 'created_at', 'expiresAt', 'expires_at'];

function latin1(b: Buffer, from: number, to: number): string {
  return b.toString('latin1', from, to);
}
function utf8(b: Buffer, from: number, to: number): string {
  return b.toString('utf8', from, to);
}

/** The number written by the digits b[from, to), or -1 when one is not a digit. */
function digitsB(b: Buffer, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** canonicalTime of the bytes b[from, to): the same rules, without a string. */
function canonicalTimeBytes(b: Buffer, from: number, to: number): number | undefined {
  if (to - from !== 24) return undefined;
  const o = from;
  if (
    b[o + 4] !== 45 ||
    b[o + 7] !== 45 ||
    b[o + 10] !== 84 ||
    b[o + 13] !== 58 ||
    b[o + 16] !== 58 ||
    b[o + 19] !== 46 ||
    b[o + 23] !== 90
  )
    return undefined;
  const y = digitsB(b, o, o + 4),
    mo = digitsB(b, o + 5, o + 7),
    d = digitsB(b, o + 8, o + 10),
    h = digitsB(b, o + 11, o + 13),
    mi = digitsB(b, o + 14, o + 16),
    sec = digitsB(b, o + 17, o + 19),
    ms = digitsB(b, o + 20, o + 23);
  if (y < 0 || ms < 0) return undefined;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN[mo - 1]! + (leap ? 1 : 0) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
    return undefined;
  return daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

/**
 * Reads `{"keys": [ {…}, … ], …}` into a KeyList as its bytes arrive, keeping nothing of them but the
 * record being read when a piece ends inside it: the answer of a million keys (120 MB) never exists whole.
 * It reads only the plain shape the API answers: an object whose members are scalars or the keys array,
 * records whose fields are scalars. Anything else (nested values, a body that is not JSON) stops it
 * (`plain` false), and the caller reads the body with JSON.parse, which says precisely what is wrong.
 */
export class KeyListScanner {
  readonly list = new KeyList();
  /** False once the body is not of the plain shape (or too large). */
  plain = true;
  /** Set when the list went past MAX_KEYS or MAX_TEXT_BYTES: the answer is too large to list. */
  tooLarge = false;
  /** The longest piece (one record or member) kept across pieces: a record is ~130 bytes; a longer one is not the API's. */
  static readonly MAX_PIECE = 1024 * 1024;
  /** The bytes of a piece cut by the end of a chunk: carry[0, carryLength); `tried` of them were read in vain. */
  private carry = Buffer.alloc(0);
  private carryLength = 0;
  private tried = 0;
  /** 0 `{` · 1 a member or `}` · 2 `,` or `}` · 3 a record or `]` · 4 `,` or `]` · 5 the end · 6 a member · 7 a record */
  private state = 0;
  private sawKeys = false;
  private readonly f: Fields = {
    idKind: 0,
    id: 0,
    nameFrom: -1,
    nameTo: -1,
    nameString: undefined,
    prefixFrom: -1,
    prefixTo: -1,
    prefixString: undefined,
    active: true,
    timeKind: [0, 0, 0, 0],
    timeMs: [0, 0, 0, 0],
    timeText: [undefined, undefined, undefined, undefined],
  };

  /** Reads a piece of the body; false once the body is not plain (then further pieces are ignored). */
  write(chunk: Buffer): boolean {
    if (!this.plain) return false;
    try {
      let start = 0;
      if (this.carryLength > 0) {
        // The piece cut at the end of the last chunk is finished with the start of this one: only as much of this
        // one as that takes is copied (at least as much as is carried, so a piece sent a byte at a time is read
        // again only each time it has doubled: linear, not quadratic).
        const before = this.carryLength;
        const take = Math.min(chunk.length, Math.max(4096, before));
        this.appendCarry(chunk, 0, take);
        if (take === chunk.length && this.carryLength < 2 * this.tried) return true;
        const at = this.run(this.carry.subarray(0, this.carryLength), 0);
        // Pieces read are let go of (the scanner's state has moved past them).
        if (take === chunk.length || at < before) {
          this.keep(this.carry.subarray(0, this.carryLength), at);
          if (take === chunk.length) return true;
          // Still not finished: the rest of this chunk joins it, read again once.
          this.appendCarry(chunk, take, chunk.length);
          this.keep(this.carry.subarray(0, this.carryLength), this.run(this.carry.subarray(0, this.carryLength), 0));
          return true;
        }
        start = at - before;
        this.carryLength = 0;
      }
      this.keep(chunk, this.run(chunk, start));
    } catch (e) {
      if (!(e instanceof NotPlain)) throw e;
      this.plain = false;
      this.carryLength = 0;
    }
    return this.plain;
  }

  /** Appends src[from, to) to the carried bytes (the buffer doubles: appending is linear). */
  private appendCarry(src: Buffer, from: number, to: number): void {
    const n = this.carryLength + to - from;
    if (n > this.carry.length) {
      const c = Buffer.allocUnsafe(Math.max(4096, 2 * n));
      this.carry.copy(c, 0, 0, this.carryLength);
      this.carry = c;
    }
    src.copy(this.carry, this.carryLength, from, to);
    this.carryLength = n;
  }

  /** Keeps b from `at` on (a piece that goes on in the next chunk) as the carried bytes. */
  private keep(b: Buffer, at: number): void {
    const rest = b.length - at;
    if (rest > KeyListScanner.MAX_PIECE) throw new NotPlain();
    if (rest <= 0) {
      this.carryLength = 0;
      return;
    }
    // b may be the carry itself: copied through a new buffer.
    const c = Buffer.allocUnsafe(Math.max(4096, rest));
    b.copy(c, 0, at);
    this.carry = c;
    this.carryLength = rest;
    this.tried = rest;
  }

  /** The list, once the whole body was read: undefined when it is not a plain key list (or was cut short). */
  end(): KeyList | undefined {
    if (!this.plain) return undefined;
    if (this.carryLength > 0) {
      // What is carried was perhaps not read again since its last bytes came: read now; nothing may be left.
      try {
        if (this.run(this.carry.subarray(0, this.carryLength), 0) < this.carryLength) {
          this.plain = false; // cut short
          return undefined;
        }
      } catch (e) {
        if (!(e instanceof NotPlain)) throw e;
        this.plain = false;
        return undefined;
      }
      this.carryLength = 0;
    }
    return this.state === 5 && this.sawKeys ? this.list : undefined;
  }

  /** Reads whole pieces of b; the offset of the first byte not read (a piece that goes on past b). */
  private run(b: Buffer, from: number): number {
    const n = b.length;
    let i = from;
    for (;;) {
      i = ws(b, i);
      if (i >= n) return i;
      const c = b[i]!;
      switch (this.state) {
        case 0:
          if (c !== 123) throw new NotPlain();
          i++;
          this.state = 1;
          break;
        case 1:
        case 6: {
          if (c === 125 && this.state === 1) {
            // {}: no keys array (the caller says so)
            i++;
            this.state = 5;
            break;
          }
          const next = this.member(b, i);
          if (next === MORE) return i;
          i = next;
          break;
        }
        case 2:
          if (c === 44) this.state = 6;
          else if (c === 125) this.state = 5;
          else throw new NotPlain();
          i++;
          break;
        case 3:
        case 7: {
          if (c === 93 && this.state === 3) {
            i++;
            this.state = 2;
            break;
          }
          const next = this.record(b, i);
          if (next === MORE) return i;
          i = next;
          this.state = 4;
          break;
        }
        case 4:
          if (c === 44) this.state = 7;
          else if (c === 93) this.state = 2;
          else throw new NotPlain();
          i++;
          break;
        default:
          throw new NotPlain(); // something after the document
      }
    }
  }

  /** A member of the top object at i: `"keys": [` (then the records follow) or `"name": scalar`. */
  private member(b: Buffer, i: number): number {
    if (b[i] !== 34) throw new NotPlain();
    const end = stringEnd(b, i);
    if (end === MORE) return MORE;
    const escaped = end < 0;
    const close = escaped ? -end - 2 : end;
    const name = escaped ? decodeString(b, i, close) : latin1(b, i + 1, close);
    let j = ws(b, close + 1);
    if (j >= b.length) return MORE;
    if (b[j] !== 58) throw new NotPlain();
    j = ws(b, j + 1);
    if (j >= b.length) return MORE;
    if (name === 'keys') {
      // A second "keys" member replaces the first, as JSON.parse reads it.
      if (this.sawKeys) throw new NotPlain();
      if (b[j] !== 91) throw new NotPlain();
      this.sawKeys = true;
      this.state = 3;
      return j + 1;
    }
    const next = skipScalar(b, j);
    if (next === MORE) return MORE;
    this.state = 2;
    return next;
  }

  /** A record `{…}` at i, added to the list (when it has an id, as toKeyRecords reads it). */
  private record(b: Buffer, i: number): number {
    if (b[i] !== 123) throw new NotPlain();
    const f = this.f;
    f.idKind = 0;
    f.nameFrom = f.prefixFrom = -1;
    f.nameString = f.prefixString = undefined;
    f.active = true;
    f.timeKind[0] = f.timeKind[1] = f.timeKind[2] = f.timeKind[3] = 0;
    const n = b.length;
    let j = ws(b, i + 1);
    if (j >= n) return MORE;
    if (b[j] === 125) j++;
    else
      for (;;) {
        if (b[j] !== 34) throw new NotPlain();
        const end = stringEnd(b, j);
        if (end === MORE) return MORE;
        const close = end < 0 ? -end - 2 : end;
        const slot = end < 0 ? FIELD_NAMES.indexOf(decodeString(b, j, close)) : fieldOf(b, j + 1, close);
        j = ws(b, close + 1);
        if (j >= n) return MORE;
        if (b[j] !== 58) throw new NotPlain();
        j = ws(b, j + 1);
        if (j >= n) return MORE;
        const v = b[j]!;
        let next: number;
        if (v === 34) {
          const e = stringEnd(b, j);
          if (e === MORE) return MORE;
          const vClose = e < 0 ? -e - 2 : e;
          next = vClose + 1;
          if (slot >= 0) this.stringField(slot, b, j, vClose, e < 0);
        } else {
          next = skipScalar(b, j);
          if (next === MORE) return MORE;
          // Not a string: a number is an id, `false` makes a key inactive, null is no time; the rest counts as absent.
          if (slot === 0) {
            f.idKind = v === 45 || (v >= 48 && v <= 57) ? 1 : 0;
            if (f.idKind) f.id = numberValue(b, j, next);
          } else if (slot === 1) {
            f.nameFrom = -1;
            f.nameString = undefined;
          } else if (slot === 2) {
            f.prefixFrom = -1;
            f.prefixString = undefined;
          } else if (slot === 3) f.active = v !== 102;
          else if (slot >= 4) f.timeKind[slot - 4] = v === 110 ? 0 : 2;
        }
        j = ws(b, next);
        if (j >= n) return MORE;
        const c = b[j++]!;
        if (c === 125) break;
        if (c !== 44) throw new NotPlain();
        j = ws(b, j);
        if (j >= n) return MORE;
      }
    if (f.idKind !== 0) {
      if (this.list.length >= MAX_KEYS || this.list.textBytes() > MAX_TEXT_BYTES) {
        this.tooLarge = true;
        throw new NotPlain();
      }
      this.add(b);
    }
    return j;
  }

  /** A string value of a field kept (slot: see fieldOf) at b[open] … b[close]. */
  private stringField(slot: number, b: Buffer, open: number, close: number, escaped: boolean): void {
    const f = this.f;
    if (slot === 0) {
      f.idKind = 2;
      f.id = Number(escaped ? decodeString(b, open, close) : utf8(b, open + 1, close));
    } else if (slot === 1) {
      f.nameString = escaped ? decodeString(b, open, close) : undefined;
      f.nameFrom = open + 1;
      f.nameTo = close;
    } else if (slot === 2) {
      f.prefixString = escaped ? decodeString(b, open, close) : undefined;
      f.prefixFrom = open + 1;
      f.prefixTo = close;
    } else if (slot === 3) f.active = true;
    else {
      const k = slot - 4;
      f.timeKind[k] = 1;
      const t = escaped ? undefined : canonicalTimeBytes(b, open + 1, close);
      if (t !== undefined) {
        f.timeMs[k] = t;
        f.timeText[k] = undefined;
      } else {
        f.timeMs[k] = RAW;
        f.timeText[k] = escaped ? decodeString(b, open, close) : utf8(b, open + 1, close);
      }
    }
  }

  private add(b: Buffer): void {
    const f = this.f;
    // As toKeyRecords: `createdAt ?? created_at` (null counts as absent), then kept only when it is a string.
    const ck = f.timeKind[0] !== 0 ? 0 : 1;
    const ek = f.timeKind[2] !== 0 ? 2 : 3;
    const created = f.timeKind[ck] === 1 ? f.timeMs[ck]! : MISSING;
    const expires = f.timeKind[ek] === 1 ? f.timeMs[ek]! : MISSING;
    this.list.pushScanned(
      f.id,
      f.active,
      b,
      f.nameFrom,
      f.nameTo,
      f.nameString,
      f.prefixFrom,
      f.prefixTo,
      f.prefixString,
      created,
      f.timeText[ck],
      expires,
      f.timeText[ek],
    );
  }
}

function ws(b: Buffer, i: number): number {
  let c = b[i];
  while (c === 32 || c === 10 || c === 13 || c === 9) c = b[++i];
  return i;
}

/**
 * The offset of the closing quote of the string whose opening quote is at `open`: as is when the string has
 * no escape, −(offset + 2) when it has one, MORE when it goes on past b. A raw control character is not JSON.
 */
function stringEnd(b: Buffer, open: number): number {
  const n = b.length;
  let escaped = false;
  for (let j = open + 1; j < n; j++) {
    const c = b[j]!;
    if (c === 34) return escaped ? -j - 2 : j;
    if (c === 92) {
      escaped = true;
      j++;
    } else if (c < 32) throw new NotPlain();
  }
  return MORE;
}

/** A JSON string with escapes, decoded (b[open] and b[close] are its quotes). */
function decodeString(b: Buffer, open: number, close: number): string {
  try {
    return JSON.parse(utf8(b, open, close + 1)) as string;
  } catch {
    throw new NotPlain();
  }
}

/** The end of the number at i (JSON's grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?), MORE when it may go on past b. */
/** The end of the digits from j on; −2 − j when there is none at j. */
function digitsFrom(b: Buffer, j: number): number {
  const s = j;
  const n = b.length;
  while (j < n && b[j]! >= 48 && b[j]! <= 57) j++;
  return j === s ? -2 - j : j;
}

function numberEnd(b: Buffer, i: number): number {
  const n = b.length;
  let j = i;
  if (b[j] === 45) j++;
  if (j >= n) return MORE;
  if (b[j] === 48) j++;
  else {
    j = digitsFrom(b, j);
    if (j < 0) throw new NotPlain();
  }
  if (j < n && b[j] === 46) {
    j = digitsFrom(b, j + 1);
    if (j < 0) {
      if (-2 - j >= n) return MORE;
      throw new NotPlain();
    }
  }
  if (j < n && (b[j] === 101 || b[j] === 69)) {
    j++;
    if (j < n && (b[j] === 43 || b[j] === 45)) j++;
    j = digitsFrom(b, j);
    if (j < 0) {
      if (-2 - j >= n) return MORE;
      throw new NotPlain();
    }
  }
  if (j >= n) return MORE; // "12" may be "123"
  const c = b[j]!;
  // What may follow a number: white space, `,`, `}`, `]` (anything else, "01" or "1x", is not JSON).
  if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 44 && c !== 125 && c !== 93) throw new NotPlain();
  return j;
}

/** The value of the number b[from, to) (already checked by numberEnd). */
function numberValue(b: Buffer, from: number, to: number): number {
  let v = 0;
  let j = from;
  for (; j < to; j++) {
    const d = b[j]! - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  return j === to && to - from < 16 ? v : Number(latin1(b, from, to));
}

/** The end of the scalar value at i (a string, number, true, false or null); an object or array is not plain. */
function skipScalar(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c === 34) {
    const e = stringEnd(b, i);
    return e === MORE ? MORE : (e < 0 ? -e - 2 : e) + 1;
  }
  if (c === 45 || (c >= 48 && c <= 57)) return numberEnd(b, i);
  const word = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : undefined;
  if (word === undefined) throw new NotPlain();
  for (let k = 1; k < word.length; k++) {
    if (i + k >= b.length) return MORE;
    if (b[i + k] !== word.charCodeAt(k)) throw new NotPlain();
  }
  return i + word.length;
}

/** The list of a whole body (see KeyListScanner), or undefined when it is not a plain key list. */
export function scanKeyList(s: string | Buffer): KeyList | undefined {
  const scanner = new KeyListScanner();
  scanner.write(typeof s === 'string' ? Buffer.from(s, 'utf8') : s);
  return scanner.end();
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
