/** Text styling: colour functions when colour is on, identity otherwise. Symbols stay readable without colour. */
export interface Style {
  color: boolean;
  ok(s: string): string;
  warn(s: string): string;
  fail(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  code(s: string): string;
  symbols: { pass: string; warn: string; fail: string; skip: string; info: string };
}

const plain = (s: string): string => s;
const SYMBOLS = { pass: '✓', warn: '!', fail: '✗', skip: '-', info: '›' };

/** A style with no colour. */
export const PLAIN: Style = { color: false, ok: plain, warn: plain, fail: plain, dim: plain, bold: plain, code: plain, symbols: SYMBOLS };

/** Decides whether colour is on for a stream, honouring --no-color, NO_COLOR, FORCE_COLOR and TTY. */
export function wantsColor(opts: { flag?: boolean; isTTY: boolean; env: NodeJS.ProcessEnv; json?: boolean }): boolean {
  if (opts.json || opts.flag === false) return false;
  if (opts.env.NO_COLOR !== undefined && opts.env.NO_COLOR !== '') return false;
  const force = opts.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (opts.env.TERM === 'dumb') return false;
  return opts.isTTY;
}

/**
 * apidoctor's own colours travel through the renderers as markers, not as escape sequences: private-use
 * characters around a per-run random nonce and an SGR code. The output layer first shows every control
 * character in the text as a visible escape (so a server's ESC cannot drive the terminal), then turns
 * the markers, which no server can forge without the nonce, into the SGR sequences (or drops them when
 * colour is off). See Output.
 */
const NONCE = Math.random().toString(36).slice(2, 10);
const MARK = (code: number) => `\uE000${NONCE}:${code}\uE001`;
const MARKER = new RegExp(`\uE000${NONCE}:(\\d{1,2})\uE001`, 'g');

/** The text with apidoctor's colour markers turned into SGR sequences (`color`) or removed. */
export function applyStyleMarkers(text: string, color: boolean): string {
  if (!text.includes('\uE000')) return text;
  return text.replace(MARKER, (_m, code: string) => (color ? `\u001b[${code}m` : ''));
}

/** One colour or weight: open and close codes, re-opened after a nested close and around line breaks (as chalk does). */
function sgr(open: number, close: number): (s: string) => string {
  const o = MARK(open);
  const c = MARK(close);
  return (s) =>
    o +
    s
      .split(c)
      .join(c + o)
      .replace(/\r?\n/g, (nl) => c + nl + o) +
    c;
}

/** Builds a style: colour functions that emit markers the output layer turns into ANSI colours (level 1). */
export async function createStyle(color: boolean): Promise<Style> {
  if (!color) return PLAIN;
  return {
    color: true,
    ok: sgr(32, 39),
    warn: sgr(33, 39),
    fail: sgr(31, 39),
    dim: sgr(2, 22),
    bold: sgr(1, 22),
    code: sgr(36, 39),
    symbols: SYMBOLS,
  };
}
