import { expect } from 'vitest';
import { KEYS, type Emulator } from '../emulator/server.js';
import type { CliRun } from './run-cli.js';

export { closedPort } from './hostile-server.js';

/** The environment of a user configured against the emulator with both keys; `extra` overrides (undefined unsets). */
export function emulatorEnv(emu: Emulator, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_API_KEY: KEYS.proxy, MODELSWITCH_BILLING_KEY: KEYS.billing, ...extra };
}

/** No configured or known key may appear anywhere in what a run printed. */
export function expectNoKeys(r: Pick<CliRun, 'stdout' | 'stderr'>): void {
  for (const k of Object.values(KEYS)) {
    expect(r.stdout).not.toContain(k);
    expect(r.stderr).not.toContain(k);
  }
}
