/**
 * The emulator run on its own (`npm run emulator`): it prints where it listens, and it goes away with the
 * process that started it — npm does not pass SIGTERM on, and an emulator left behind keeps its port.
 */
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('npm run emulator', () => {
  it('listens on the port it prints, and closes it when npm is stopped', async () => {
    const npm = spawn('npm', ['run', '--silent', 'emulator', '--', '--port', '0', '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const t0 = Date.now();
    while (!out.includes('\n') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    const { port } = JSON.parse(out.split('\n')[0]!) as { port: number };
    expect(await portOpen(port)).toBe(true);
    npm.kill('SIGTERM');
    let open = true;
    for (const t1 = Date.now(); open && Date.now() - t1 < 5_000;) {
      await new Promise((r) => setTimeout(r, 100));
      open = await portOpen(port);
    }
    expect(open).toBe(false);
  }, 30_000);
});
