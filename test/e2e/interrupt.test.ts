/**
 * Ctrl-C works in every phase, even those that hold the event loop, where a JavaScript signal handler
 * cannot run: a JavaScript config file whose code never returns, and a long CPU-bound step (redacting
 * a 16 MiB body full of secrets). Soon after the signal the process is gone, with status 130 (143
 * for SIGTERM), or killed by that very signal, which a shell reports as the same 130/143. The promise is
 * 1 s, measured by `npm run bench` (its signals row); here a generous 5 s bound catches a hang without
 * failing on a busy CI machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, emptyDir } from '../helpers/run-cli.js';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  afterSignalMs: number;
  stderr: string;
  stdout: string;
}

/** Starts the CLI, sends `sig` once `ready()` says so, and reports how the process ended. */
function runAndSignal(
  args: string[],
  sig: NodeJS.Signals,
  ready: (stderr: string) => Promise<void>,
  cwd = emptyDir(),
  onSpawn?: (pid: number | undefined) => void,
  readStdout = true,
): Promise<Exit> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  onSpawn?.(child.pid);
  child.stdin.end();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let stdout = '';
  if (readStdout) child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let sentAt = 0;
  const closed = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, afterSignalMs: performance.now() - sentAt, stderr, stdout });
    }),
  );
  void ready(stderr).then(() => {
    sentAt = performance.now();
    child.kill(sig);
  });
  return closed;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const statusOf = (e: Exit) => e.code ?? (e.signal === 'SIGINT' ? 130 : e.signal === 'SIGTERM' ? 143 : -1);

describe('a JavaScript config file that never returns', () => {
  const dir = emptyDir();
  const file = join(dir, 'apidoctor.config.mjs');
  writeFileSync(file, 'while (true) {}\nexport default { baseUrl: "http://127.0.0.1:9" };\n');

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s ends the run at once, not after the config (status %i)',
    async (sig, status) => {
      // 1.5 s: the config is loading (its code is spinning) by then.
      const e = await runAndSignal(
        ['balance', '--config', file, '--billing-key', 'mk-test0billing00d4e5f6a7b8c9d0e1f2'],
        sig,
        () => sleep(1500),
        dir,
      );
      expect(statusOf(e)).toBe(status);
      expect(e.afterSignalMs).toBeLessThan(5000);
      expect(e.stderr).not.toMatch(/internal error|^\s+at /m);
    },
    30_000,
  );
});

describe('a long CPU-bound step', () => {
  // A 16 MiB JSON string full of api-key fields: redacting it is seconds of work for the main thread.
  const body = JSON.stringify('x-api-key: abcdefgh1234 '.repeat(Math.floor((16 * 1024 * 1024 - 8) / 24)));
  let server: net.Server;
  let port = 0;
  let sentAt = 0;
  beforeAll(async () => {
    server = net.createServer((sock) => {
      sock.once('data', () => {
        sock.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`,
        );
        sock.end(body, () => (sentAt = performance.now()));
      });
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('Ctrl-C while a 16 MiB body is being redacted for printing: gone at once (exit 130)', async () => {
    // A run that finished before the signal arrived (exit 0, the whole body printed: a busy machine can
    // let the step end first) did not test the step; it is run again, up to three times in all. A signal
    // that arrives during the step must end it with 130, or kill it.
    let e: Exit | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      sentAt = 0;
      e = await runAndSignal(
        [
          'call',
          '/v1/anything',
          '--base-url',
          `http://127.0.0.1:${port}`,
          '--api-key',
          'ms-test0good0key0a1b2c3d4e5f6a7b8c9',
          '--timeout',
          '30000',
        ],
        'SIGINT',
        async () => {
          // Sent (flushed to the client): it is reading the last bytes, parsing, or in the CPU-bound step.
          while (sentAt === 0) await sleep(5);
        },
      );
      if (statusOf(e) !== 0) break;
    }
    expect(statusOf(e!)).toBe(130);
    expect(e!.afterSignalMs).toBeLessThan(5000);
  }, 190_000);
});

/** Resolves once process `pid` holds `path` open (read from /proc), or after `maxMs` where there is no /proc. */
async function holdsOpen(pid: number | undefined, path: string, maxMs = 5000): Promise<void> {
  const { readdirSync, readlinkSync, existsSync } = await import('node:fs');
  const until = performance.now() + maxMs;
  if (pid === undefined || !existsSync(`/proc/${pid}/fd`)) return sleep(1500);
  while (performance.now() < until) {
    try {
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === path)) return;
    } catch {
      // the process is starting or gone
    }
    await sleep(20);
  }
}

describe.skipIf(process.platform === 'win32')('a named pipe (FIFO) that nothing writes to', () => {
  const dir = emptyDir();
  const fifo = join(dir, 'app.fifo');
  execFileSync('mkfifo', [fifo]);

  it.each([[['explain', fifo]], [['explain', '--follow', fifo]], [['explain', '--follow', fifo, '--json']]])(
    'Ctrl-C ends %j (no open() held in the thread pool): status 130, no stack trace',
    async (args) => {
      let pid: number | undefined;
      const e = await runAndSignal(
        args,
        'SIGINT',
        () => holdsOpen(pid, fifo),
        dir,
        (p) => (pid = p),
      );
      expect(statusOf(e)).toBe(130);
      // a hang is bounded generously (CI is slow); the process must be gone, not merely signalled
      expect(e.afterSignalMs).toBeLessThan(10_000);
      // the user is told the run was interrupted (explain on stderr; --follow's summary on stdout, its JSON's reason)
      expect(`${e.stdout}${e.stderr}`).toMatch(/interrupt/i);
      expect(e.stderr).not.toMatch(/internal error|^\s+at /m);
    },
    30_000,
  );
});
