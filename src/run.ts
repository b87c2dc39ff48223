import { main } from './cli.js';
import { closeDefaultDispatcher } from './http/client.js';
import { redactor } from './redact.js';
import { neutralize } from './render/sanitize.js';

/** Process glue: signals, real streams, exit code. The only place that touches process.exit. */
const controller = new AbortController();
let signalled: 'SIGINT' | 'SIGTERM' | undefined;
const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
  if (signalled) process.exit(sig === 'SIGINT' ? 130 : 143); // a second Ctrl-C: leave now
  signalled = sig;
  controller.abort(sig);
  // Whatever is still running, leave within half a second.
  setTimeout(() => process.exit(sig === 'SIGINT' ? 130 : 143), 400).unref();
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
// A last line of defence: never a stack trace, never a key.
const fatal = (e: unknown) => {
  process.stderr.write(neutralize(redactor.redact(`✗ internal error: ${(e as Error)?.message ?? String(e)}\n`)));
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  // `apidoctor … | head`: the reader left. Ignore it; the run still ends with its own exit code (pipefail).
  if (e.code !== 'EPIPE') fatal(e);
});

/** Runs the command line to its exit code. Not top-level await: dist/ is CommonJS (scripts/build.mjs). */
async function start(): Promise<void> {
  const code = await main(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    // Only explain and the keys prompts read stdin: creating the stream costs a few ms, so not before.
    get stdin() {
      return process.stdin;
    },
    signal: controller.signal,
  });
  const finalCode = signalled === 'SIGTERM' ? 143 : signalled === 'SIGINT' ? 130 : code;
  process.exitCode = finalCode;
  await closeDefaultDispatcher();
  // Nothing should keep the process alive now; if something does, do not hang.
  setTimeout(() => process.exit(finalCode), 200).unref();
}

// If the event loop ever ran dry with the command still pending (a bug: nothing left to wake it), the
// process would end with exit 0 and no output. Say so and fail instead.
let finished = false;
process.once('beforeExit', () => {
  if (!finished) fatal(new Error('the command ended without a result'));
});
void start()
  .then(() => (finished = true))
  .catch(fatal);
