/**
 * Laying human output out for the terminal's width: the width itself, word wrapping that keeps a
 * line's indentation, and the doctor report's rows (title column, details wrapped under their column).
 * Past ~300 lines on purpose: a character's width on screen (wide, zero-width, combining) and the wrapping that
 * measures with it are read together; split, a table and the wrapped text beside it could measure apart.
 */
import { neutralize } from './sanitize.js';

/** The width human output is laid out for: the terminal's, else COLUMNS, else 80 (as --help). */
export function terminalWidth(stdout: { isTTY?: boolean; columns?: number }, env: Record<string, string | undefined>): number {
  if (stdout.isTTY && typeof stdout.columns === 'number' && stdout.columns > 0) return stdout.columns;
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return 80;
}

// Colour as escape sequences, or as the style's markers (private-use characters, see style.ts), which
// become escape sequences only when the output layer writes: neither takes a column.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m|\uE000[^\uE001]{0,40}\uE001/g;

/** The width a string takes on screen (colour codes take none; see displayWidth). */
export function visibleLength(s: string): number {
  return displayWidth(s.includes('\u001b') || s.includes('\uE000') ? s.replace(ANSI, '') : s);
}

/**
 * The columns a terminal gives a string: two for each East Asian wide or fullwidth character (CJK, Hangul,
 * kana, fullwidth forms) and each emoji, none for combining marks and variation selectors, one for the rest.
 * A key named 生产环境 takes eight columns, not four: counted as four, every column after it slid out of line.
 */
export function displayWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x300) {
      w++;
      continue;
    }
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    w += charWidth(cp);
  }
  return w;
}

/** The columns of one code point past U+02FF (see displayWidth). */
function charWidth(cp: number): number {
  if (
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xfe20 && cp <= 0xfe2f) ||
    cp === 0x2060 ||
    cp === 0xfeff ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  )
    return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

/** `s` cut to at most `n` columns (displayWidth), whole characters only. */
export function sliceColumns(s: string, n: number): string {
  let w = 0;
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    const cw = cp < 0x300 ? 1 : charWidth(cp);
    if (w + cw > n) break;
    w += cw;
    i += cp > 0xffff ? 2 : 1;
  }
  return s.slice(0, i);
}

/** Words that follow an option as prose, never as its value ("apidoctor --help for usage"). */
const PROSE = /^(for|to|and|or|then|with|when|if|in|on|the|a|an|of|is|as|at|by|from|instead)$/;

/** A word as the grammar of a command sees it: without colour. */
const bare = (w: string): string => (w.includes('\u001b') || w.includes('\uE000') ? w.replace(ANSI, '') : w);

/** The quote still open after `word`, read as a POSIX shell reads it from inside `open` ('' for none). */
function quoteAfter(word: string, open: string): string {
  let q = open;
  for (let k = 0; k < word.length; k++) {
    const c = word[k];
    if (q === "'") {
      if (c === "'") q = '';
    } else if (c === '\\') k++;
    else if (q === '"') {
      if (c === '"') q = '';
    } else if (c === "'" || c === '"') q = c;
  }
  return q;
}

/** A command to copy found in a text: the words it spans, and its atoms (a shell word, a quoted string, a <placeholder>). */
interface Command {
  end: number;
  atoms: string[];
  /** A shell command (broken, when it must be, with the shell's line continuation); false for a `quoted span`. */
  shell: boolean;
}

/** Where the atom that starts at words[j] ends (exclusive): a quoted string or a <placeholder> may hold spaces. */
function atomEnd(words: readonly string[], j: number): number {
  const w = bare(words[j]!);
  let q = quoteAfter(w, '');
  let placeholder = w.startsWith('<') && !w.includes('>');
  let k = j + 1;
  for (; k < words.length && k - j < 20 && (q !== '' || placeholder); k++) {
    const next = bare(words[k]!);
    if (q !== '') q = quoteAfter(next, q);
    else if (next.includes('>')) placeholder = false;
  }
  return q !== '' || placeholder ? j + 1 : k;
}

/**
 * The command to copy that starts at `words[i]`, if one does. A command is `apidoctor` with up to two
 * subcommand words, then options, their values, `<placeholders>`, paths, numbers and quoted strings (a `|`
 * starts the next command); it ends with a word that closes a clause ("keys," "balance)" "usage.") or
 * before a plain word (the prose that follows: "exits 5 when …"). Also `export NAME=value`, and a
 * `quoted span` in backquotes.
 */
function commandAt(words: readonly string[], i: number): Command | undefined {
  const w0 = bare(words[i]!).replace(/^\(/, '');
  if (w0.startsWith('`') && !/^`[^`]*`\W*$/.test(w0)) {
    for (let j = i + 1; j < words.length; j++)
      if (bare(words[j]!).includes('`')) return { end: j + 1, atoms: words.slice(i, j + 1), shell: false };
    return undefined;
  }
  if (w0 === 'export' && i + 1 < words.length && /^[A-Z_][A-Z0-9_]*=/.test(bare(words[i + 1]!))) {
    const end = atomEnd(words, i + 1);
    return { end, atoms: [words[i]!, words.slice(i + 1, end).join(' ')], shell: true };
  }
  if (w0 !== 'apidoctor') return undefined;
  const atoms = [words[i]!];
  let head = 0;
  let value = false;
  let j = i + 1;
  while (j < words.length) {
    const w = bare(words[j]!);
    const k = atomEnd(words, j);
    const flag = /^-{1,2}[A-Za-z]/.test(w);
    if (w === '|') head = 1;
    else if (flag) {
      // options before the subcommand are the program's (apidoctor --base-url <url> keys …)
      if (head > 0) head = 2;
    } else if (/^[<"']/.test(w) || (value && !PROSE.test(w)) || /^[/@.~$…\d]/.test(w) || w.includes('/')) {
      // a placeholder, a quoted string, an option's value, a path, a number: part of the command
    } else if (head < 2 && !PROSE.test(w) && /^[A-Za-z…][\w.-]*[,;:.)]*$/.test(w)) head++;
    else break;
    value = flag && !w.includes('=');
    atoms.push(words.slice(j, k).join(' '));
    j = k;
    const last = bare(words[k - 1]!);
    if (/[,;:)]$/.test(last) || (/\.$/.test(last) && !/\.\w/.test(last))) break;
  }
  return atoms.length > 1 ? { end: j, atoms, shell: true } : undefined;
}

/**
 * Splits `text` into lines of at most `width` columns (`restWidth` for the lines after the first) at
 * spaces; a word longer than that gets a line of its own, unbroken (a URL stays copyable). A command to
 * copy (see commandAt) stays whole on one line when it fits in one: it moves to the next line rather than
 * break in its middle; one longer than a line is broken between its words with the shell's line
 * continuation (" \"), so that pasted, it still runs as one command.
 */
export function wrapWords(text: string, width: number, restWidth = width): string[] {
  const words = text.split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  let len = 0;
  const room = (): number => (lines.length === 0 ? width : restWidth);
  const newLine = (): void => {
    lines.push(line);
    line = '';
    len = 0;
  };
  const put = (w: string, wl: number): void => {
    line += (len > 0 ? ' ' : '') + w;
    len += (len > 0 ? 1 : 0) + wl;
  };
  const add = (w: string): void => {
    const wl = visibleLength(w);
    if (len > 0 && len + 1 + wl > room()) newLine();
    put(w, wl);
  };
  for (let i = 0; i < words.length;) {
    const c = commandAt(words, i);
    if (!c) {
      add(words[i]!);
      i++;
      continue;
    }
    const unit = c.atoms.join(' ');
    const ul = visibleLength(unit);
    if ((len === 0 ? ul <= room() : len + 1 + ul <= room()) || ul <= restWidth) add(unit);
    else if (!c.shell) for (const a of c.atoms) add(a);
    else
      c.atoms.forEach((a, k) => {
        const al = visibleLength(a);
        // room for " \" after every atom but the last
        if (len > 0 && len + 1 + al + (k < c.atoms.length - 1 ? 2 : 0) > room()) {
          if (k > 0) line += ' \\';
          newLine();
        }
        put(a, al);
      });
    i = c.end;
  }
  if (len > 0 || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * Wraps every line of `text` wider than `width`, continuing under the line's own indentation (and
 * under the text of a list item: "  1. ", "  ! ", "  - "). Measured as it will be written: a control
 * character that came with outside text counts as the visible escape the output layer shows (neutralize).
 */
export function fitToWidth(text: string, width: number): string {
  return neutralize(text)
    .split('\n')
    .map((line) => {
      if (visibleLength(line) <= width) return line;
      const plain = line.replace(ANSI, '');
      const m = /^(\s*)((?:\d+\.|[!✗✓•*-])\s+)?/.exec(plain)!;
      const indent = m[1]!.length;
      const hang = indent + (m[2]?.length ?? 0);
      // The indentation stays as it is; the words after it are wrapped, the lines after the first hanging
      // under the item's text.
      const lead = line.slice(0, line.length - line.trimStart().length);
      const [first, ...rest] = wrapWords(line.trimStart(), Math.max(1, width - indent), Math.max(1, width - hang));
      return [lead + first, ...rest.map((l) => ' '.repeat(hang) + l)].join('\n');
    })
    .join('\n');
}

/**
 * `label` then `text`, the text wrapped to `width` and continued under its own column (the label's width):
 * "Spend     0.12 USD in the last 24 h · …" with the rest of the line under "0.12".
 */
export function labelled(label: string, text: string, width: number): string {
  if (visibleLength(label) + visibleLength(text) <= width) return label + text;
  const col = visibleLength(label);
  const lines = wrapWords(text, Math.max(1, width - col));
  return lines.map((l, i) => (i === 0 ? label : ' '.repeat(col)) + l).join('\n');
}

/**
 * fitToWidth for text laid out in two columns (help: "  --flag <x>    what it does", "  example    note"). A
 * block of such lines (consecutive, the second column starting in the same place) stays aligned: when a
 * line of it is too wide, its second column keeps its place if 24 columns are left for it there, else the
 * whole block's moves left to 2 spaces after its longest first column, else every line's goes on the lines
 * below, indented by 4 more; the second column wraps under its own start. A line without a second column
 * (no run of two spaces) is wrapped by fitToWidth.
 */
export function fitColumns(text: string, width: number): string {
  const lines = text.split('\n');
  const rows = lines.map((line) => {
    const m = /^(\s*)(\S(?:.*?\S)?)( {2,})(\S.*)$/.exec(line);
    return m ? { indent: m[1]!, first: m[2]!, col: visibleLength(m[1]! + m[2]! + m[3]!), second: m[4]! } : undefined;
  });
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    const r = rows[i];
    if (!r) {
      out.push(visibleLength(lines[i]!) <= width ? lines[i]! : fitToWidth(lines[i]!, width));
      i++;
      continue;
    }
    let end = i + 1;
    while (end < lines.length && rows[end]?.col === r.col && rows[end]!.indent === r.indent) end++;
    const block = rows.slice(i, end) as NonNullable<(typeof rows)[number]>[];
    if (block.every((b, k) => visibleLength(lines[i + k]!) <= width)) out.push(...lines.slice(i, end));
    else {
      const tight = Math.max(...block.map((b) => visibleLength(b.indent + b.first))) + 2;
      const col = width - r.col >= 24 ? r.col : width - tight >= 24 ? tight : undefined;
      for (const b of block) {
        const head = b.indent + b.first;
        if (col !== undefined) out.push(labelled(head + ' '.repeat(col - visibleLength(head)), b.second, width));
        else out.push(`${fitToWidth(head, width)}\n${labelled(' '.repeat(b.indent.length + 4), b.second, width)}`);
      }
    }
    i = end;
  }
  return out.join('\n');
}

/**
 * One row of the doctor report: `sym title  detail`, the title column `titleWidth` wide (titles that do
 * not fit wrap inside it), the detail wrapped under its own column. When the detail column would be
 * narrower than 24 columns, the detail goes on the lines below, indented by 4.
 */
export function reportRow(
  sym: string,
  title: string,
  detail: string,
  titleWidth: number,
  width: number,
  paintDetail: (line: string) => string = (l) => l,
): string {
  const detailCol = 2 + titleWidth + 2;
  const titleLines = wrapWords(title, titleWidth);
  if (width - detailCol < 24) {
    const lines = titleLines.map((t, i) => `${i === 0 ? `${sym} ` : '  '}${t}`);
    for (const d of wrapWords(detail, width - 4)) lines.push(`    ${paintDetail(d)}`);
    return lines.join('\n');
  }
  const detailLines = wrapWords(detail, width - detailCol);
  const n = Math.max(titleLines.length, detailLines.length);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = titleLines[i] ?? '';
    const d = detailLines[i];
    const left = `${i === 0 ? `${sym} ` : '  '}${t}`;
    out.push(
      d === undefined ? left.trimEnd() : `${left}${' '.repeat(Math.max(0, detailCol - 2 - visibleLength(t) - 2) + 2)}${paintDetail(d)}`,
    );
  }
  return out.join('\n');
}

/** The title column for the report: the longest title, but no more than 40 % of the width (at least 12). */
export function titleColumn(titles: readonly string[], width: number): number {
  let longest = 0;
  for (const t of titles) if (t.length > longest) longest = t.length;
  return Math.min(longest, Math.max(12, Math.floor(width * 0.4)));
}
