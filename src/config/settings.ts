import { UsageError } from '../core/errors.js';
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, OPTIONS, longName } from './options.js';

/** Names of the settings of the contract's configuration table. */
export type SettingName = 'apiKey' | 'billingKey' | 'baseUrl' | 'timeout' | 'model';

/** A resolved value and where it came from. */
export interface Setting<T> {
  value: T | undefined;
  origin: 'flag' | 'env' | 'file' | 'default' | 'none';
  /** Human-readable source: "--api-key", "MODELSWITCH_API_KEY", "./.apidoctorrc.json", "default". */
  source: string;
}

/** A setting as config resolution reads it: its flag, env var and default, taken from the option table. */
export interface SettingSpec {
  name: SettingName;
  flag: string;
  env: string;
  type: 'string' | 'ms';
  defaultValue?: string | number;
}

export { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS };

/** The settings: the rows of the option table (src/config/options.ts) that set one. */
export const SETTINGS: readonly SettingSpec[] = OPTIONS.filter((o) => o.setting).map((o) => ({
  name: o.setting!,
  flag: `--${longName(o)}`,
  env: o.env!,
  type: o.type ?? 'string',
  ...(o.defaultValue !== undefined ? { defaultValue: o.defaultValue } : {}),
}));

/** Parses a timeout in milliseconds from a flag, env var or file; `where` names the source for the error. */
export function parseMs(raw: unknown, where: string): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 3_600_000) {
    throw new UsageError(
      `${where}: the timeout must be a number of milliseconds between 1 and 3600000, got ${JSON.stringify(raw)}`,
      'For example: --timeout 15000 (15 s).',
    );
  }
  return Math.round(n);
}

/** A positive (or zero) amount in USD, for --min and --min-balance. */
export function parseUsd(raw: unknown, where: string): number {
  const n = typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw new UsageError(
      `${where}: expected an amount in USD of 0 or more, got ${JSON.stringify(raw)}`,
      'For example: --min 5 or --min 2.50',
    );
  }
  return n;
}

/** A whole number within bounds, for --retries and --expiring-within. */
export function parseCount(raw: unknown, where: string, max: number): number {
  const n = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new UsageError(`${where}: expected a whole number from 0 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
