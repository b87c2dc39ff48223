/**
 * The keys table: laid out for the width (NAME shrinks, then CREATED goes, then one key a line), from views or
 * straight from a KeyList's columns. A plain row of a plain list is written from its bytes, 64 KiB at a time,
 * pausing while the reader is slower: a million keys are never one string (see writeKeyListTable).
 * Past ~300 lines on purpose: the layout and its two writers (from views, from the columns' bytes) must agree cell
 * for cell — a unit test compares them byte for byte — so they are read side by side.
 */
import type { KeyList } from '../api/key-list.js';
import type { Style } from './style.js';
import { oneLine } from './sanitize.js';
import { redactor } from '../core/redact.js';
import { displayWidth, fitToWidth } from './layout.js';
import { clip, day, daysText, listCells, listDays, listStatus, type KeyView } from './keys.js';
import { DAY_MS } from '../core/format.js';

/** What the table needs of its rows, whether they are views or a KeyList's columns. */
interface Rows {
  length: number;
  /** The 8 cells of row i, in column order. */
  cells(i: number): string[];
  /** For colour: row i's status, days left, expiry and configured mark. */
  info(i: number): { status: KeyView['status']; daysLeft: number | null; expired: boolean; configured: boolean };
  anyConfigured: boolean;
}

/**
 * The key table. Status is a word (active / INACTIVE / EXPIRED), so it reads without colour;
 * the configured key is marked with `*` and a legend names where it came from.
 */
export function keysTable(keys: KeyView[], s: Style, configuredSource?: string, width = Infinity): string {
  let out = '';
  writeKeysTable(
    { length: keys.length, cells: (i) => cells(keys[i]!), info: (i) => keys[i]!, anyConfigured: keys.some((k) => k.configured) },
    s,
    configuredSource,
    width,
    (t) => (out += t),
  );
  return out;
}

/**
 * The table of a KeyList, written in pieces of whole lines (a large table is never one string), waiting after a
 * piece while `pause` gives a promise (stdout's reader is behind: see Output.drained). Without colour,
 * a row whose name and prefix are printable ASCII and whose times are canonical is written as bytes straight
 * from the list's columns (no string per cell); any other row as keysTable writes it.
 */
export async function writeKeyListTable(
  list: KeyList,
  nowMs: number,
  s: Style,
  configuredSource: string | undefined,
  width: number,
  write: (text: string, masked?: boolean) => void,
  pause: () => Promise<void> | undefined = () => undefined,
): Promise<void> {
  const maskedRows = maskedCells(list);
  const cellsOf = (i: number): string[] => {
    const c = listCells(list, i, nowMs);
    const m = maskedRows.get(i);
    if (m) [c[NAME], c[3]] = [clip(m.name, 32), m.prefix];
    return c;
  };
  const fast = (r: number) => fastRow(list, r) && !maskedRows.has(r);
  const rows: Rows = {
    length: list.length,
    cells: cellsOf,
    info: (i) => {
      const { daysLeft, expired } = listDays(list, i, nowMs);
      return { status: listStatus(list, i, expired), daysLeft, expired, configured: i === list.configured };
    },
    anyConfigured: list.configured >= 0,
  };
  if (list.length === 0 || s.ok('x') !== 'x') return writeKeysTable(rows, s, configuredSource, width, write);
  const widths = columnWidths(list, nowMs, fast, cellsOf);
  const layout = tableLayout(widths, width);
  if (!layout) return writeKeyLines(rows, s, configuredSource, width, write);
  const { cols } = layout;
  let text = list.bytes(0);
  // Pieces of 64 KiB: their strings stay in the young generation, collected as soon as written (pieces of 1 MiB
  // each went to the old one and, a million keys written, held ~30 MB until a full collection).
  let buf = Buffer.allocUnsafe(64 * 1024);
  let o = 0;
  // Whether the piece holds fast rows only (and the header): outside text in it is then only names and prefixes
  // that maskedCells redacted whole, each on its own, and found unchanged; the rest is apidoctor's own. The
  // output layer need not redact the piece again (see StreamDraw). A row written any other way makes it false.
  let masked = true;
  const flush = () => {
    write(buf.toString('utf8', 0, o), masked);
    o = 0;
    masked = true;
  };
  const put = (str: string) => {
    // Code units to bytes: at most 3 each.
    if (o + 3 * str.length > buf.length) {
      flush();
      if (3 * str.length > buf.length) buf = Buffer.allocUnsafe(3 * str.length);
    }
    o += buf.write(str, o, 'utf8');
  };
  const spaces = (n: number) => {
    for (; n > 0; n--) buf[o++] = 32;
  };
  const bytes = (from: number, to: number) => {
    for (let j = from; j < to; j++) buf[o++] = text[j]!;
  };
  const ascii = (str: string) => {
    for (let j = 0; j < str.length; j++) buf[o++] = str.charCodeAt(j);
    return str.length;
  };
  // An id's digits written straight into the piece (no string per key).
  const int = (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0) return ascii(String(n));
    const len = intLength(n);
    for (let j = o + len - 1; j >= o; j--, n = Math.floor(n / 10)) buf[j] = 48 + (n % 10);
    o += len;
    return len;
  };
  const last = cols[cols.length - 1]!;
  const nameWidth = Math.min(widths[NAME]!, 32);
  const line = tableLine(cols, widths);
  // The longest a fast row can be: every column at its width, '…' and the separators.
  const need = widths.reduce((a, w) => a + w, 0) + 2 * cols.length + 4;
  put(s.bold(line(HEAD)) + '\n');
  // The first piece is written after a few rows, the rest at 64 KiB: the path of a full piece (write, wait for
  // the reader) is then taken before V8 optimises this loop, whose code it would drop at the first full piece.
  let limit = Math.min(buf.length, 1024);
  for (let r = 0; r < list.length; r++) {
    if (!fast(r)) {
      put(line(cellsOf(r)) + '\n');
      masked = false; // after put(), which may have flushed the piece before this row
      continue;
    }
    if (o + need > limit) {
      flush();
      if (need > buf.length) buf = Buffer.allocUnsafe(2 * need);
      limit = buf.length;
      const wait = pause();
      if (wait) await wait;
    }
    text = list.bytes(r);
    for (let c = 0; c < cols.length; c++) {
      const i = cols[c]!;
      if (i) spaces(2);
      let len: number;
      switch (i) {
        case 0:
          len = r === list.configured ? ascii('*') : 0;
          break;
        case 1:
          len = int(list.id(r));
          break;
        case NAME: {
          const nf = list.nameFrom(r);
          const nt = list.nameTo(r);
          if (!list.hasName(r)) len = ascii('-');
          else if (nt - nf > nameWidth) {
            bytes(nf, nf + nameWidth - 1);
            o += buf.write('…', o, 'utf8');
            len = nameWidth;
          } else {
            bytes(nf, nt);
            len = nt - nf;
          }
          break;
        }
        case 3: {
          const pf = list.nameTo(r);
          const pt = list.prefixTo(r);
          if (pt === pf) len = ascii('-');
          else {
            bytes(pf, pt);
            len = pt - pf;
          }
          break;
        }
        case 4:
          len = ascii(statusText(list, r, nowMs));
          break;
        case CREATED:
          len = ascii(list.createdDay(r) ?? '-');
          break;
        case 6:
          len = ascii(list.expiresDay(r) ?? 'never');
          break;
        default:
          len = ascii(daysCell(list, r, nowMs));
      }
      if (i !== last) spaces(widths[i]! - len);
    }
    buf[o++] = 10;
  }
  flush();
  const end = legend(rows, s, configuredSource, width);
  if (end) write(end);
}

/**
 * Each column's width over all rows. A function of its own, whose only loop is this one: inside
 * writeKeyListTable, V8 optimised this loop before the code after it had run, and dropped it there, before
 * the rows' loop (a cold table of 100,000 keys took ~100 ms, a warm one ~60).
 */
function columnWidths(list: KeyList, nowMs: number, fast: (r: number) => boolean, cellsOf: (r: number) => string[]): number[] {
  const widths = HEAD.map((h) => h.length);
  const width1 = (i: number, w: number) => {
    if (w > widths[i]!) widths[i] = w;
  };
  for (let r = 0; r < list.length; r++) {
    if (fast(r)) {
      if (r === list.configured) width1(0, 1);
      width1(1, intLength(list.id(r)));
      width1(NAME, list.hasName(r) ? Math.min(list.nameTo(r) - list.nameFrom(r), 32) : 1);
      width1(3, Math.max(list.prefixTo(r) - list.nameTo(r), 1));
      width1(4, statusText(list, r, nowMs).length);
      width1(CREATED, Number.isFinite(list.createdMs(r)) ? 10 : 1);
      width1(6, Number.isNaN(list.expiresMs(r)) ? 5 : 10);
      width1(7, daysCell(list, r, nowMs).length);
    } else {
      const c = cellsOf(r);
      for (let i = 0; i < 8; i++) width1(i, displayWidth(c[i]!));
    }
  }
  return widths;
}

/**
 * Rows masked a batch at a time: bounded memory for a million keys, one redaction pass per batch. A batch's
 * text (~25 bytes a row) stays under V8's large-object size (128 KiB), so that it is made in the young
 * generation's pages rather than in fresh ones (16,384 rows a batch cost ~20 ms more for 100,000 keys).
 */
const MASK_BATCH = 4096;

/**
 * The rows whose name or prefix holds a secret, with those cells redacted whole. A cell is cut to its column
 * (NAME to 32 characters and to the width) before the output layer redacts the line: a key used as a name,
 * cut first, is a piece of a key no pattern knows any more, and a different piece at each width — several
 * screenshots rebuild it. So each name and prefix is redacted before it is measured or cut. In batches of
 * lines, one redaction pass each (a million keys are not a million calls); a batch whose lines do not come
 * back one for one is redacted line by line.
 */
export function maskedCells(list: KeyList): Map<number, { name: string; prefix: string }> {
  const out = new Map<number, { name: string; prefix: string }>();
  const batch = { buf: Buffer.allocUnsafe(256 * 1024) };
  // The first batch is a few rows: batchLines then runs whole once before V8 optimises its loop, with what it
  // learnt of the code after the loop too (else that code is dropped at the end of every batch).
  for (let from = 0, to = 0; from < list.length; from = to) {
    to = Math.min(list.length, from + (from === 0 ? 16 : MASK_BATCH));
    const text = batch.buf.toString('utf8', 0, batchLines(list, from, to, batch));
    const red = redactor.redact(text);
    if (red === text) continue;
    const [lines, redLines] = [text.split('\n'), red.split('\n')];
    for (let r = from, k = 0; r < to; r++, k += 2) {
      // Lines that do not come back one for one (a mask never adds or removes a line break): row by row.
      const [name, prefix] =
        lines.length === redLines.length ? [redLines[k]!, redLines[k + 1]!] : [redactor.redact(lines[k]!), redactor.redact(lines[k + 1]!)];
      if (name !== lines[k] || prefix !== lines[k + 1]) out.set(r, { name, prefix });
    }
  }
  return out;
}

/**
 * Rows [from, to)'s names and prefixes, a line each, written into `batch.buf` (grown as needed); the bytes written.
 * A plain row's straight from its bytes (no string per key). A function of its own, whose only loop is this one:
 * inside maskedCells, the loop was optimised before the code after it had run, and V8 dropped that code twice
 * on the way (a cold call of maskedCells took 40 ms where a warm one takes 13; now 14).
 */
function batchLines(list: KeyList, from: number, to: number, batch: { buf: Buffer }): number {
  let buf = batch.buf;
  let o = 0;
  for (let r = from; r < to; r++) {
    if (list.plainText(r)) {
      const b = list.bytes(r);
      const nf = list.nameFrom(r);
      const nt = list.nameTo(r);
      const pt = list.prefixTo(r);
      if (o + pt - nf + 4 > buf.length) buf = grown(buf, o, pt - nf + 4);
      // Byte by byte: a name is a few bytes, for which Buffer#copy's call costs more than the copy.
      if (list.hasName(r) && nt > nf) for (let j = nf; j < nt; j++) buf[o++] = b[j]!;
      else buf[o++] = 45; // '-'
      buf[o++] = 10;
      if (pt > nt) for (let j = nt; j < pt; j++) buf[o++] = b[j]!;
      else buf[o++] = 45;
      buf[o++] = 10;
    } else {
      const text = `${oneLine(list.name(r) ?? '-')}\n${oneLine(list.prefix(r) || '-')}\n`;
      if (o + 3 * text.length > buf.length) buf = grown(buf, o, 3 * text.length);
      o += buf.write(text, o, 'utf8');
    }
  }
  batch.buf = buf;
  return o;
}

/** A buffer with room for `n` bytes more than the `o` of `buf` it starts with. */
function grown(buf: Buffer, o: number, n: number): Buffer {
  const bigger = Buffer.allocUnsafe(2 * (o + n));
  buf.copy(bigger, 0, 0, o);
  return bigger;
}

/** Whether row r can be written from the bytes: printable ASCII name and prefix, canonical or no times. */
function fastRow(list: KeyList, r: number): boolean {
  return list.plainText(r) && list.plainTimes(r);
}

/** String(n).length without the string, for the usual ids. */
function intLength(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) return String(n).length;
  let len = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    len++;
  }
  return len;
}

/** Row i's status word in the table, without a view. */
function statusText(list: KeyList, i: number, nowMs: number): string {
  const t = list.expiresMs(i);
  if (!Number.isNaN(t) && t - nowMs <= 0) return 'EXPIRED';
  return list.active(i) ? 'active' : 'INACTIVE';
}

/** "30", "<1", "expired", "-" for row i, as daysText gives them; whole numbers of days from a table. */
const DAY_NUMBERS = Array.from({ length: 1000 }, (_, n) => String(n));
function daysCell(list: KeyList, i: number, nowMs: number): string {
  const t = list.expiresMs(i);
  if (Number.isNaN(t)) return '-';
  const days = (t - nowMs) / DAY_MS;
  if (days <= 0) return 'expired';
  const daysLeft = Math.round(days * 10) / 10;
  if (daysLeft < 1) return '<1';
  const n = Math.round(daysLeft);
  return n < 1000 ? DAY_NUMBERS[n]! : String(n);
}

const HEAD = ['', 'ID', 'NAME', 'PREFIX', 'STATUS', 'CREATED', 'EXPIRES', 'DAYS LEFT'];
/** Lines per write: large enough that writes are few, small enough that no piece is large. */
const LINES_PER_WRITE = 4096;

/** The narrowest NAME column the table shrinks to before it leaves out CREATED, then lays keys out as lines. */
const MIN_NAME = 12;
const NAME = 2;
const CREATED = 5;

/**
 * The columns shown for a terminal `width` columns wide, `widths` (the natural ones) adjusted in place: NAME is
 * clipped (to at least 12 columns), then CREATED is left out; undefined when even that does not fit.
 */
function tableLayout(widths: number[], width: number): { cols: number[] } | undefined {
  const naturalName = widths[NAME]!;
  let cols = HEAD.map((_, i) => i);
  const total = () => cols.reduce((a, i) => a + widths[i]!, 0) + 2 * (cols.length - 1);
  const fitName = () => {
    const over = total() - width;
    if (over > 0) widths[NAME] = Math.max(Math.min(widths[NAME]!, MIN_NAME), widths[NAME]! - over);
  };
  fitName();
  if (total() > width) {
    cols = cols.filter((i) => i !== CREATED);
    widths[NAME] = naturalName;
    fitName();
  }
  return total() > width ? undefined : { cols };
}

/** A row's line from its cells, laid out in `cols` at `widths` (NAME clipped to its width), painted by `paint`. */
function tableLine(cols: number[], widths: number[]) {
  const last = cols[cols.length - 1]!;
  return (c: readonly string[], paint?: (i: number, text: string) => string) => {
    let out = '';
    for (const i of cols) {
      const cell = i === NAME ? clip(c[i]!, widths[i]!) : c[i]!;
      const padded = i === last ? cell : cell + ' '.repeat(Math.max(0, widths[i]! - displayWidth(cell)));
      out += (i ? '  ' : '') + (paint ? paint(i, padded) : padded);
    }
    return out.trimEnd();
  };
}

/**
 * Writes the table for a terminal `width` columns wide: when the rows are wider, NAME is clipped (to at least
 * 12 columns), then CREATED is left out; when even that does not fit, each key is a line of words wrapped
 * under its start instead of a row.
 */
function writeKeysTable(rows: Rows, s: Style, configuredSource: string | undefined, width: number, write: (text: string) => void): void {
  if (rows.length === 0)
    return write(fitToWidth('No proxy keys on this account. Create one: apidoctor keys create --name <name>', width) + '\n');
  // Two passes over the keys, the cells made again in the second, rather than a table of 8 strings per
  // key kept between them: with 100,000 keys, keeping them costs more in garbage collection than making them twice.
  // Widths by a loop: Math.max(...rows) passes every row as an argument and overflows the stack past ~100,000 keys.
  const widths = HEAD.map((h) => h.length);
  for (let r = 0; r < rows.length; r++) {
    const c = rows.cells(r);
    for (let i = 0; i < 8; i++) {
      const w = displayWidth(c[i]!);
      if (w > widths[i]!) widths[i] = w;
    }
  }
  const layout = tableLayout(widths, width);
  if (!layout) return writeKeyLines(rows, s, configuredSource, width, write);
  const line = tableLine(layout.cols, widths);
  let out = s.bold(line(HEAD)) + '\n';
  // Painting is identity without colour: skip it then (most large tables go to a file or a pipe).
  const plain = s.ok('x') === 'x';
  for (let r = 0; r < rows.length; r++) {
    const c = rows.cells(r);
    if (plain) out += line(c) + '\n';
    else {
      const k = rows.info(r);
      out +=
        line(c, (i, text) => {
          if (i === 4) return k.status === 'active' ? s.ok(text) : s.fail(text);
          if (i === 7 && !k.expired && k.daysLeft !== null && k.daysLeft <= 7) return s.warn(text);
          if (i === 0 && k.configured) return s.bold(text);
          return text;
        }) + '\n';
    }
    if (r % LINES_PER_WRITE === LINES_PER_WRITE - 1) {
      write(out);
      out = '';
    }
  }
  out += legend(rows, s, configuredSource, width);
  write(out);
}

function legend(rows: Rows, s: Style, configuredSource: string | undefined, width: number): string {
  return rows.anyConfigured
    ? s.dim(fitToWidth(`* = the proxy key apidoctor is configured with${configuredSource ? ` (${configuredSource})` : ''}`, width)) + '\n'
    : '';
}

/** Too narrow for the table: one key a line, "* #1 "name" (prefix) active, created …, expires … (30 days left)", wrapped. */
function writeKeyLines(rows: Rows, s: Style, configuredSource: string | undefined, width: number, write: (text: string) => void): void {
  let out = '';
  for (let r = 0; r < rows.length; r++) {
    const c = rows.cells(r);
    const k = rows.info(r);
    const status = k.status === 'active' ? s.ok(c[4]!) : s.fail(c[4]!);
    const left = c[7] === '-' ? '' : c[7] === 'expired' ? '' : ` (${c[7]} day${c[7] === '1' ? '' : 's'} left)`;
    out += fitToWidth(`${c[0] ? '* ' : '- '}#${c[1]} ${c[2]} (${c[3]}) ${status}, created ${c[5]}, expires ${c[6]}${left}`, width) + '\n';
    if (r % LINES_PER_WRITE === LINES_PER_WRITE - 1) {
      write(out);
      out = '';
    }
  }
  write(out + legend(rows, s, configuredSource, width));
}

/** A key's cells in the table, in column order. */
function cells(k: KeyView): string[] {
  return [
    k.configured ? '*' : '',
    String(k.id),
    // Server text, one line each: a line break in a name must not forge a row. Redacted before it is cut (see maskedCells).
    clip(redactor.redact(oneLine(k.name ?? '-')), 32),
    redactor.redact(oneLine(k.prefix || '-')),
    k.status === 'active' ? 'active' : k.status.toUpperCase(),
    day(k.createdAt),
    k.expiresAt ? day(k.expiresAt) : 'never',
    daysText(k),
  ];
}
