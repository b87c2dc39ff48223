import { main } from './cli.js';
import { closeDefaultDispatcher } from '../http/client.js';
import { redactor } from '../core/redact.js';
import { neutralize } from '../render/sanitize.js';

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
/** A closed pipe (the reader left), on either stream. */
const closed = (e: NodeJS.ErrnoException) => e?.code === 'EPIPE' || e?.code === 'ERR_STREAM_DESTROYED';
/** The streams made so far: the ones that may still hold output to drain at the end. */
const made: NodeJS.WriteStream[] = [];
/**
 * process.stdout or process.stderr, made when first used. To a pipe or a file, Node makes the stream at a cost
 * (~2.5 ms, before doctor's first request) for what is written only once the answers are in; until then,
 * all anyone asks is whether it is a terminal, and only a character device can be one. A terminal's
 * stream is made at once. `apidoctor … 2>&1 | head -1`: the reader left. A closed stdout or stderr is
 * ignored, whichever it is; the run still ends with its own exit code (pipefail), never 1 for the closed pipe.
 */
function lazyStream(fd: 1 | 2): NodeJS.WriteStream {
  let real: NodeJS.WriteStream | undefined;
  const make = (): NodeJS.WriteStream => {
    if (!real) {
      real = (fd === 1 ? process.stdout : process.stderr).on('error', (e: NodeJS.ErrnoException) => {
        if (!closed(e)) fatal(e);
      });
      made.push(real);
    }
    return real;
  };
  let device = true;
  try {
    device = process.getBuiltinModule('node:fs').fstatSync(fd).isCharacterDevice();
  } catch {
    // not known: make it
  }
  if (device) return make();
  return new Proxy({} as NodeJS.WriteStream, {
    get(_, key) {
      if (!real && key === 'isTTY') return false;
      if (!real && key === 'columns') return undefined;
      const stream = make();
      const value: unknown = Reflect.get(stream, key);
      return typeof value === 'function' ? value.bind(stream) : value;
    },
    set: (_, key, value) => Reflect.set(make(), key, value),
  });
}
const stdout = lazyStream(1);
const stderr = lazyStream(2);
// A last line of defence: never a stack trace, never a key.
const fatal = (e: unknown) => {
  // A closed pipe that surfaces as a throw (a synchronous write to a gone reader) is not a failure either.
  if (closed(e as NodeJS.ErrnoException)) return;
  let text: string;
  try {
    text = neutralize(redactor.redact(`✗ internal error: ${(e as Error)?.message ?? String(e)}\n`));
  } catch {
    // The redactor itself failed: nothing of the message can be shown safely.
    text = '✗ internal error (its message could not be checked for keys, so it is not shown)\n';
  }
  stderr.write(text);
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

/** Runs the command line to its exit code. Not top-level await: dist/ is CommonJS (scripts/build.mjs). */
async function start(): Promise<void> {
  const code = await main(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout,
    stderr,
    // Only explain and the keys prompts read stdin: creating the stream costs a few ms, so not before.
    get stdin() {
      return process.stdin;
    },
    signal: controller.signal,
  });
  // A signal that comes while the output still drains (below) decides the exit code too.
  const finalCode = () => (signalled === 'SIGTERM' ? 143 : signalled === 'SIGINT' ? 130 : code);
  process.exitCode = finalCode();
  // A large result to a slow pipe (`apidoctor keys --json | …` with 100,000 keys) is still being written:
  // let it drain before leaving, or the reader gets it cut short. A reader that left (EPIPE) calls back too.
  // Open connections (keep-alive sockets, a proxy's) are left to the exit to close: closing one here made
  // Node create process.stderr (its net.Socket's destroy compares itself with it), ~2 ms for nothing.
  await Promise.all(made.map((s) => (s.writableLength > 0 && !s.destroyed ? new Promise<void>((r) => s.write('', () => r())) : undefined)));
  // The tests' check that nothing is still at work once the result is out (a request, a timer, a file being
  // written, which the exit below would cut off): the process is left to end by itself, and must.
  if (process.env.APIDOCTOR_TEST_DRAIN === '1') {
    await closeDefaultDispatcher();
    process.exitCode = finalCode(); // a signal during the drain decides it too
    setTimeout(() => process.exit(finalCode()), 200).unref();
    return;
  }
  // Everything is written: leave now. Left to end by itself, Node first tears down what the run built (the
  // heap, open handles, an idle keep-alive socket): from the 'exit' event to the process's end, doctor took
  // 9.3 ms, `node -e 0` 7.3 ms, and `node -e 'process.exit(0)'` 5.5 ms here.
  process.exit(finalCode());
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
