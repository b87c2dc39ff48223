import { retryAfterOf } from './retry-after.js';
import { formatWait } from '../core/format.js';

/** Statuses that may be retried (contract: 429, 500, 502, 503 only). */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503]);

/** Limits on waiting between attempts. */
export interface RetryLimits {
  /** Longest single wait; a Retry-After beyond it stops the retries. */
  maxWaitMs: number;
  /** Longest total wait over all retries. */
  maxTotalWaitMs: number;
}

export const DEFAULT_RETRY_LIMITS: RetryLimits = { maxWaitMs: 30_000, maxTotalWaitMs: 60_000 };

/**
 * Parses a Retry-After value (seconds or an HTTP date) into milliseconds from `nowMs`.
 * Returns undefined for a missing or unreadable value; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const r = retryAfterOf({ 'retry-after': value }, nowMs);
  return r === undefined ? undefined : Math.round(r.ms);
}

/** The decision after a failed attempt. */
export type RetryDecision = { retry: true; waitMs: number; note: string } | { retry: false; note?: string };

/**
 * Decides whether and how long to wait before the next attempt. Backoff starts at 1 s and doubles
 * (the documented remedy), with a little jitter; Retry-After wins when present and sane.
 * Pure: the clock and randomness are passed in.
 */
export function decideRetry(input: {
  status: number | undefined;
  /** 0 for the first failure. */
  failureIndex: number;
  retries: number;
  retryAfter?: string;
  /** The `retry-after-ms` header, which wins over Retry-After (OpenAI, Azure). */
  retryAfterMs?: string;
  nowMs: number;
  waitedMs: number;
  random: () => number;
  limits?: RetryLimits;
  /** False when the body says a retry cannot help (an empty balance behind a 429, say). */
  retryable?: boolean;
}): RetryDecision {
  const limits = input.limits ?? DEFAULT_RETRY_LIMITS;
  if (input.status === undefined || !RETRY_STATUSES.has(input.status)) return { retry: false };
  if (input.retryable === false) return { retry: false, note: 'not retried: the response says a retry cannot help' };
  if (input.failureIndex >= input.retries) {
    return {
      retry: false,
      note:
        input.retries === 0
          ? 'retries are off (--retries 0)'
          : `gave up after ${input.retries} ${input.retries === 1 ? 'retry' : 'retries'}`,
    };
  }
  const asked = retryAfterOf({ 'retry-after': input.retryAfter, 'retry-after-ms': input.retryAfterMs }, input.nowMs);
  const fromHeader = asked === undefined ? undefined : Math.round(asked.ms);
  let waitMs: number;
  let note: string;
  if (asked !== undefined && fromHeader !== undefined && fromHeader > 0) {
    if (fromHeader > limits.maxWaitMs) {
      return {
        retry: false,
        note: `the server asked to wait ${formatWait(fromHeader)} (${asked.said}); apidoctor does not wait longer than ${formatWait(limits.maxWaitMs)}`,
      };
    }
    waitMs = fromHeader;
    note = asked.said;
  } else {
    const base = 1000 * 2 ** input.failureIndex;
    waitMs = base + Math.floor(input.random() * 100);
    note = `backoff ${formatWait(base)}`;
  }
  if (input.waitedMs + waitMs > limits.maxTotalWaitMs) {
    return {
      retry: false,
      note: `stopped: waiting another ${formatWait(waitMs)} would pass the ${formatWait(limits.maxTotalWaitMs)} cap on total waiting`,
    };
  }
  return { retry: true, waitMs, note };
}
