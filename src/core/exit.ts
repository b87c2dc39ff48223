import type { ExitReason } from './types.js';

/** The contract's exit-code table: reason → code. */
export const EXIT_CODES: Readonly<Record<ExitReason, number>> = {
  ok: 0,
  failed: 1,
  usage: 2,
  config: 3,
  auth: 4,
  balance: 5,
  rate_limit: 6,
  network: 7,
  timeout: 8,
  server: 9,
  unexpected_response: 10,
  interrupted: 130,
};
