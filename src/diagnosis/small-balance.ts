/**
 * What "a small balance" means, in one place. ModelSwitch holds each request's estimated cost before forwarding
 * it, so a positive balance can still refuse requests: the diagnosis, `balance` and doctor all judge it here.
 */

/** Below this many USD the hold for an ordinary request fails: "at or near 0" (the diagnosis of a 402/403). */
export const NEAR_ZERO_USD = 1;

/**
 * How close to a minimum a balance is small, per reader: `balance --min` notes a balance under 2× the minimum
 * (it also has the runway to go by); doctor, with no runway, warns under 5× its minimum.
 */
export const SMALL_FACTOR = { balance: 2, doctor: 5 } as const;

/** `balance`: a runway shorter than this many days gets the hold note too. */
export const SHORT_RUNWAY_DAYS = 3;

/** The balance is at or near 0: the hold for a request's estimated cost does not fit. */
export function nearZero(balance: number): boolean {
  return balance < NEAR_ZERO_USD;
}

/** The balance is within `factor` times the minimum (above it or not). */
export function nearMinimum(balance: number, min: number, factor: number): boolean {
  return balance < factor * min;
}
