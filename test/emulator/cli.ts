/**
 * Run the emulator standalone:
 *   npm run emulator -- [--port N] [--delay MS] [--balance N] [--tls|--tls-expired]
 *     [--stream-interval MS] [--balance-status 402|403] [--descriptive-403] [--jwt-only] [--quiet]
 * Prints one JSON line {"url","port","keys","tls","certFile"} on stdout, logs requests on stderr,
 * exits 0 on SIGINT/SIGTERM, and when the process that started it (npm, a shell) goes. Control: GET /__emulator/requests, POST /__emulator/reset,
 * GET|PATCH /__emulator/state, POST|DELETE /__emulator/failures.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KEYS, startEmulator } from './server.js';
import type { EmulatorOptions } from './types.js';

const USAGE =
  'usage: npm run emulator -- [--port N] [--delay MS] [--balance N] [--tls|--tls-expired] [--stream-interval MS] [--balance-status 402|403] [--descriptive-403] [--jwt-only] [--quiet]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function num(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) fail(`--${name} must be a number, got "${raw}"`);
  return n;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string' },
      delay: { type: 'string' },
      balance: { type: 'string' },
      tls: { type: 'boolean' },
      'tls-expired': { type: 'boolean' },
      'stream-interval': { type: 'string' },
      'balance-status': { type: 'string' },
      'descriptive-403': { type: 'boolean' },
      'jwt-only': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
} catch (err) {
  fail((err as Error).message);
}
const v = parsed.values;
if (v.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const opts: Partial<EmulatorOptions> = {};
const port = num('port', v.port);
if (port !== undefined) opts.port = port;
const delay = num('delay', v.delay);
if (delay !== undefined) opts.delayMs = delay;
const balance = num('balance', v.balance);
if (balance !== undefined) opts.balance = balance;
const interval = num('stream-interval', v['stream-interval']);
if (interval !== undefined) opts.streamIntervalMs = interval;
const status = num('balance-status', v['balance-status']);
if (status !== undefined) {
  if (status !== 402 && status !== 403) fail('--balance-status must be 402 or 403');
  opts.balanceStatus = status;
}
if (v.tls) opts.tls = true;
if (v['tls-expired']) opts.tls = 'expired';
if (v['descriptive-403']) opts.descriptive403 = true;
if (v['jwt-only']) opts.jwtOnlyRoutes = true;
if (!v.quiet) {
  opts.onRequest = (r) => {
    const took = r.durationMs === undefined ? '' : ` ${r.durationMs.toFixed(0)}ms`;
    const extra = [r.injected && `injected=${r.injected}`, r.aborted && 'aborted'].filter(Boolean).join(' ');
    process.stderr.write(`[emulator] #${r.id} ${r.method} ${r.path} → ${r.status ?? '-'}${took}${extra ? ` ${extra}` : ''}\n`);
  };
}

const emu = await startEmulator(opts);
const certFile = opts.tls
  ? fileURLToPath(new URL(opts.tls === 'expired' ? './certs/expired.crt' : './certs/localhost.crt', import.meta.url))
  : undefined;
process.stdout.write(`${JSON.stringify({ url: emu.url, port: emu.port, keys: KEYS, tls: opts.tls ?? false, certFile })}\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  if (!v.quiet) process.stderr.write(`[emulator] ${signal}: closing\n`);
  void emu.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// npm and npx do not pass a signal on to the process they started: when the wrapper goes, this process
// is handed to another parent, and it closes too rather than keep the port (the next start's EADDRINUSE).
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('the process that started it exited');
}, 200).unref();
