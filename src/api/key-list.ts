import { matchKeyRecord, toKeyRecords, type KeyRecord } from './account.js';
import { canonicalTime, dayText, isoText } from './key-time.js';

/**
 * GET /api/keys's list kept column by column: an id, flags and two times per key in typed arrays, and the
 * names and prefixes as their UTF-8 bytes one after another in one buffer; no object and no string per key.
 * A list of 100,000 keys parsed by JSON.parse into objects, copied into records and then into views made
 * about a million objects that all lived to the end: the garbage collector's copying of them was most of
 * `keys`'s time and memory. A million keys take about 60 MB here, outside the JavaScript heap. Strings and
 * views are made one at a time, when a row is printed, and die young.
 *
 * Past ~300 lines on purpose: one class, the column store, whose segments, blocks and flags are read together.
 * The scanner that fills it is src/api/key-list-scan.ts; its times, src/api/key-time.ts.
 */

/** A time column's value for "no such field" (a key that never expires, a record without createdAt). */
export const MISSING = -Infinity;
/** A time column's value for "a field whose text is not a canonical UTC timestamp": its text is in `rawTimes`. */
export const RAW = Infinity;

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
    // Without a branch that only the 50,000th key would take: V8 drops its optimised code at the first
    // path it never saw taken (here, the first time a block fills).
    let at = this.textLength;
    const over = (at & (BLOCK - 1)) + n > BLOCK ? 1 : 0; // the bytes would cross into the next block: they start it
    at += over * (BLOCK - (at & (BLOCK - 1)));
    const last = at + Math.max(n, 1) - 1;
    if (this.blocks.length <= last >>> BLOCK_BITS) this.newBlocks(last);
    this.textLength = at;
    return at;
  }

  /** Blocks added until the byte at `last` has one. */
  private newBlocks(last: number): void {
    while (this.blocks.length <= last >>> BLOCK_BITS) this.blocks.push(Buffer.allocUnsafe(BLOCK));
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
   * Whether key i's prefix, at least 5 characters, is the start of `key` once its padding (x, *, …, .) is cut:
   * what matchIndex asks of every key. An ASCII prefix is compared from its bytes (no string per key).
   */
  prefixStarts(i: number, key: string): boolean {
    const fl = this.flag(i);
    if (fl & F_PREFIX_STRING || !(fl & F_PREFIX_ASCII)) {
      const p = this.prefix(i);
      return p.length >= 5 && key.startsWith(p.replace(PADDING, ''));
    }
    const from = this.nameTo(i);
    let to = this.prefixTo(i);
    if (to - from < 5) return false;
    const b = this.bytes(i);
    for (let c = b[to - 1]; to > from && (c === 120 || c === 88 || c === 42 || c === 46); c = b[to - 1]) to--; // x X * .
    if (to - from > key.length) return false;
    for (let j = from; j < to; j++) if (b[j] !== key.charCodeAt(j - from)) return false;
    return true;
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

/**
 * The index of the key `key` is, matched by prefix as matchKeyRecord does (the longest prefix wins), or -1.
 * Only the keys whose prefix, padding removed, starts the key are candidates: a handful, not the list.
 */
export function matchIndex(list: KeyList, key: string | undefined): number {
  if (!key) return -1;
  const k = key.trim();
  const idx: number[] = [];
  for (let i = 0; i < list.length; i++) if (list.prefixStarts(i, k)) idx.push(i);
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

/** The text of UTF-8 bytes b[from, to). */
export function utf8(b: Buffer, from: number, to: number): string {
  return b.toString('utf8', from, to);
}
