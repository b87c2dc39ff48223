/**
 * Amounts and durations as people read them: the one home of each rule. Every output (balance, doctor, the
 * diagnosis notes, retry notes, attempt lines, reports) formats through here.
 */

/**
 * US dollars, without the unit: 2 decimals from 1 USD up, up to 4 below (0.0312, 0.05), never "-0.00". The same
 * balance reads the same in `balance`, in doctor's row and in a diagnosis note.
 */
export function usd(n: number): string {
  if (n === 0 || Object.is(n, -0)) return '0.00';
  if (Math.abs(n) >= 1) return n.toFixed(2);
  const s = n.toFixed(4).replace(/0+$/, '');
  return /\.\d$/.test(s) ? s + '0' : s.endsWith('.') ? s + '00' : s;
}

/** How a duration is written. */
export interface DurationStyle {
  /** Under a second, whole milliseconds ("850 ms"); otherwise seconds even below one. */
  ms?: boolean;
  /**
   * Decimals of seconds: 'fixed' always one ("2.0 s": a timeout, a measured time), 'trim' rounded to one and
   * none when that is whole ("1 s", "1.5 s": a wait).
   */
  decimals: 'fixed' | 'trim';
  /** From 2 minutes on, minutes, and from 2 hours on, hours ("2 min", "24 h"): a long wait. */
  largeUnits?: boolean;
}

/** A duration in milliseconds, written in the given style. */
export function duration(ms: number, style: DurationStyle): string {
  if (style.ms && ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (style.largeUnits && s >= 7200) return `${Math.round(s / 3600)} h`;
  if (style.largeUnits && s >= 120) return `${Math.round(s / 60)} min`;
  if (style.decimals === 'fixed') return `${s.toFixed(1)} s`;
  return `${Math.round(s * 10) / 10} s`;
}

/** A wait: "850 ms", "1 s", "1.5 s", "2 min", "24 h" (retry notes). */
export const formatWait = (ms: number): string => duration(ms, { ms: true, decimals: 'trim', largeUnits: true });

/** A measured time: "850 ms", "2.1 s" (attempt lines, check times). */
export const formatMs = (ms: number): string => duration(ms, { ms: true, decimals: 'fixed' });

/** A limit in seconds, one decimal: "2.0 s" (a timeout). */
export const formatSeconds = (ms: number): string => duration(ms, { decimals: 'fixed' });

/** A day in milliseconds (the UTC day: key expiry, spend windows). */
export const DAY_MS = 86_400_000;
