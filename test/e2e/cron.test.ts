/**
 * The README's cron recipe, run as cron would run its command line (sh -c, apidoctor on PATH): silent
 * while the balance is at or above the minimum, so cron mails nothing; below it, output and exit 5.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, KEYS, PRESETS, type Emulator } from '../emulator/server.js';
import { BIN, emptyDir } from '../helpers/run-cli.js';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
/** The recipe's command: the cron line's whole command part (after the five time fields). */
const CRON_LINE = /```cron\n[\s\S]*?^((?:[^\s#=]+[ \t]+){5})(.*apidoctor balance.*)$/m.exec(README);
const COMMAND = CRON_LINE?.[2];

let emu: Emulator;
let binDir: string;
beforeAll(async () => {
  emu = await startEmulator();
  binDir = mkdtempSync(join(tmpdir(), 'apidoctor-cron-bin-'));
  symlinkSync(BIN, join(binDir, 'apidoctor'));
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

/**
 * Runs the recipe's command with sh, as cron does (its own HOME, no key in its environment): the billing key
 * comes from the env file the README has the user create (mode 600); the base URL points at the emulator.
 */
function cron(billingKey: string = KEYS.billing): Promise<{ code: number | null; output: string }> {
  const home = emptyDir();
  mkdirSync(join(home, '.config'));
  writeFileSync(join(home, '.config', 'modelswitch.env'), `export MODELSWITCH_BILLING_KEY=${billingKey}\n`, { mode: 0o600 });
  return new Promise((resolvePromise) => {
    const child = spawn('sh', ['-c', COMMAND!], {
      cwd: emptyDir(),
      env: { PATH: `${binDir}:${process.env.PATH}`, HOME: home, MODELSWITCH_BASE_URL: emu.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

describe("the README's cron recipe", () => {
  it('is there, with --min 10, --fail-open and -q', () => {
    expect(COMMAND).toBeDefined();
    expect(COMMAND).toMatch(/modelswitch\.env.*apidoctor balance .*--min 10/);
    expect(README).toMatch(/^MAILTO=/m);
  });
  it('healthy (42.50 USD, minimum 10): no output at all, exit 0 — cron sends no mail', async () => {
    const r = await cron();
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });
  it('below the minimum (5 USD): the balance and the verdict, exit 5 — cron mails them', async () => {
    emu.state.balance = 5;
    const r = await cron();
    expect(r.code).toBe(5);
    expect(r.output).toMatch(/^5$/m);
    expect(r.output).toMatch(/below-minimum/);
  });
  it('a server blip (503 on every try): --fail-open keeps it quiet, exit 0', async () => {
    emu.state.failures.push({ ...PRESETS.unavailable, match: { path: '/api/balance' } });
    const r = await cron();
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });
  it('a revoked billing key is never quiet: output and exit 4', async () => {
    const r = await cron(KEYS.billingUnknown);
    expect(r.code).toBe(4);
    expect(r.output).not.toBe('');
  });
});
