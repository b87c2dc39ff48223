import { InterruptedError } from '../core/errors.js';

/**
 * A JavaScript config file runs its own code. Run on the main thread, a file that loops for ever (or
 * computes for long) would block the event loop, and with it the Ctrl-C and SIGTERM handlers: nothing
 * could stop apidoctor but SIGKILL. So it runs in a worker thread, which the main thread abandons
 * (terminates) when the signal comes; the value it exports comes back as plain data (JSON: functions
 * and class instances are not config values). An exported function is called, and a promise awaited.
 */
// An ES module given as a data: URL, not `eval: true`: an evaluated worker script is CommonJS run the way
// `node -e` runs one, with every built-in module as a global, so a config's `module.exports = …` would
// quietly set a property of node:module instead of failing as it does in an ES module scope.
const WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
try {
  const mod = await import (pathToFileURL(workerData).href); // spaced: the bundle test counts the bundle's own dynamic imports
  let v = mod && typeof mod === 'object' && 'default' in mod ? mod.default : mod;
  if (typeof v === 'function') v = await v();
  parentPort.postMessage({ ok: true, json: v === undefined ? undefined : JSON.stringify(v) });
} catch (e) {
  parentPort.postMessage({ ok: false, message: String((e && e.message) || e).split('\\n')[0] });
}
`;
const WORKER_URL = new URL(`data:text/javascript,${encodeURIComponent(WORKER)}`);

const LOAD_TIMEOUT_MS = 10_000;

/** Files loaded this way: JavaScript, as ES module or CommonJS (TypeScript stays with cosmiconfig). */
export function isJsConfig(filepath: string): boolean {
  return /\.(?:js|mjs|cjs)$/i.test(filepath);
}

/** Loads a JavaScript config file in a worker thread; a signal abandons it at once. */
export async function loadJsConfig(filepath: string, signal?: AbortSignal): Promise<unknown> {
  if (signal?.aborted) throw InterruptedError.from(signal);
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const worker = new Worker(WORKER_URL, { workerData: filepath, stdout: false, stderr: false });
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<unknown>((resolve, reject) => {
      onAbort = () => reject(InterruptedError.from(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once('message', (m: { ok: boolean; json?: string; message?: string }) => {
        if (m.ok) resolve(m.json === undefined ? undefined : JSON.parse(m.json));
        else reject(new Error(m.message));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the file's code ended the process (exit ${code}) while it loaded`)));
      // A config that never finishes loading is an error in it, not a reason to wait for ever.
      setTimeout(() => reject(new Error(`its code did not finish within ${LOAD_TIMEOUT_MS / 1000} s`)), LOAD_TIMEOUT_MS).unref();
    });
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    void worker.terminate();
  }
}
