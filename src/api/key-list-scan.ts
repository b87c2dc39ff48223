/**
 * GET /api/keys read as it arrives, byte by byte, into a KeyList (src/api/key-list.ts). Kept whole past ~300 lines
 * on purpose: one state machine over a byte stream (a record, a string, a number may each end in a later
 * chunk), whose states and resumption points are read together; split, a resumption would cross files.
 */
import { KeyList, MAX_KEYS, MAX_TEXT_BYTES, MISSING, RAW, utf8 } from './key-list.js';
import { DAYS_IN, daysFromCivil } from './key-time.js';
import { DAY_MS } from '../core/format.js';
import { saysInactive } from './account.js';
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

/** A field's slot in Fields by its name's bytes b[from, to), or −1 for a field the list does not keep. */
function fieldOf(b: Buffer, from: number, to: number): number {
  const len = to - from;
  for (let s = 0; s < FIELD_BYTES.length; s++) {
    const w = FIELD_BYTES[s]!;
    if (w.length !== len) continue;
    let k = 0;
    while (k < len && b[from + k] === w[k]) k++;
    if (k === len) return s;
  }
  return -1;
}
const FIELD_NAMES = ['id', 'name', 'prefix', 'active', 'createdAt', 'created_at', 'expiresAt', 'expires_at'];
const FIELD_BYTES = FIELD_NAMES.map((n) => Buffer.from(n, 'latin1'));

function latin1(b: Buffer, from: number, to: number): string {
  return b.toString('latin1', from, to);
}

/**
 * Per character of "2026-01-31T12:00:00.000Z": the part it is a digit of (0 year … 6 milliseconds), or 7 for a
 * separator, which must be SEPARATOR's character there. One loop over a table: V8 compiles it in a fraction of
 * the time of seven inlined digit loops, and the first 10,000 keys of a list are read before that compile ends.
 */
const PART = Uint8Array.from('0000-11-22T33:44:55.666Z', (c) => (c >= '0' && c <= '9' ? Number(c) : 7));
const SEPARATOR = Buffer.from('0000-00-00T00:00:00.000Z', 'latin1');
const parts = new Int32Array(7);

/** canonicalTime of the bytes b[from, to): the same rules, without a string. */
function canonicalTimeBytes(b: Buffer, from: number, to: number): number | undefined {
  if (to - from !== 24) return undefined;
  parts.fill(0);
  for (let k = 0; k < 24; k++) {
    const c = b[from + k]!;
    const p = PART[k]!;
    if (p === 7) {
      if (c !== SEPARATOR[k]) return undefined;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9) return undefined;
      parts[p] = parts[p]! * 10 + d;
    }
  }
  const y = parts[0]!,
    mo = parts[1]!,
    d = parts[2]!,
    h = parts[3]!,
    mi = parts[4]!,
    sec = parts[5]!,
    ms = parts[6]!;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN[mo - 1]! + (leap ? 1 : 0) || h > 23 || mi > 59 || sec > 59) return undefined;
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
          } else if (slot === 3)
            f.active = v !== 102 && !(v === 48 && next === j + 1); // false, or the number 0
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
    } else if (slot === 3) f.active = !saysInactive(escaped ? decodeString(b, open, close) : utf8(b, open + 1, close));
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
