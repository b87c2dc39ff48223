import { importEsm } from '../esm.js';
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

/** Builds a style; chalk is imported only when colour is on. */
export async function createStyle(color: boolean): Promise<Style> {
  if (!color) return PLAIN;
  const { Chalk } = await importEsm<typeof import('chalk')>('chalk');
  const c = new Chalk({ level: 1 });
  return {
    color: true,
    ok: (s) => c.green(s),
    warn: (s) => c.yellow(s),
    fail: (s) => c.red(s),
    dim: (s) => c.dim(s),
    bold: (s) => c.bold(s),
    code: (s) => c.cyan(s),
    symbols: SYMBOLS,
  };
}
