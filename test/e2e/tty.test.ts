import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, KEYS, PRESETS, type Emulator, type FailureRule } from '../emulator/server.js';
import { main } from '../../src/entry/cli.js';
import { emptyDir } from '../helpers/run-cli.js';
import { terminalSink } from '../helpers/terminal-sink.js';

const terminal = terminalSink;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

const env = (extra: Record<string, string> = {}) => ({
  MODELSWITCH_BASE_URL: emu.url,
  MODELSWITCH_API_KEY: KEYS.proxy,
  MODELSWITCH_BILLING_KEY: KEYS.billing,
  ...extra,
});

describe('on a terminal', () => {
  // This simulates a person's terminal; under CI=true (as in .ci/run) ora would rightly draw nothing.
  const savedCI = process.env.CI;
  beforeAll(() => {
    delete process.env.CI;
  });
  afterAll(() => {
    if (savedCI !== undefined) process.env.CI = savedCI;
  });

  it('doctor says which host it is still waiting for after 3 s, then reports the timeout', async () => {
    emu.reset();
    emu.state.failures.push({ ...PRESETS.hang, match: { path: '/v1/models' } } as FailureRule);
    const out = terminal();
    const err = terminal();
    const code = await main(['doctor', '--timeout', '4500'], { env: env(), cwd: emptyDir(), stdout: out, stderr: err });
    expect(code).toBe(8);
    expect(err.text).toMatch(new RegExp(`still waiting for 127\\.0\\.0\\.1:${emu.port} \\(\\d s\\)`));
    expect(out.text).toMatch(/\u001b\[3\dm/); // colour on a terminal
    for (const k of Object.values(KEYS)) expect(out.text + err.text).not.toContain(k);
  }, 15_000);

  it('NO_COLOR and --no-color turn colour off, and the report stays readable with symbols', async () => {
    emu.reset();
    for (const extra of [{ NO_COLOR: '1' }, {}] as Array<Record<string, string>>) {
      const out = terminal();
      const err = terminal();
      const args = 'NO_COLOR' in extra ? ['doctor'] : ['doctor', '--no-color'];
      const code = await main(args, { env: env(extra), cwd: emptyDir(), stdout: out, stderr: err });
      expect(code).toBe(0);
      expect(out.text).not.toMatch(/\u001b\[/);
      expect(out.text).toMatch(/^✓ Configuration/m);
    }
  });

  it('FORCE_COLOR colours output that is not a terminal', async () => {
    emu.reset();
    const out = {
      text: '',
      write(s: string) {
        this.text += s;
        return true;
      },
    };
    const err = {
      text: '',
      write(s: string) {
        this.text += s;
        return true;
      },
    };
    await main(['doctor', '--only', 'config.sources'], { env: env({ FORCE_COLOR: '1' }), cwd: emptyDir(), stdout: out, stderr: err });
    expect(out.text).toMatch(/\u001b\[32m✓/);
  });
});
