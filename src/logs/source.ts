/** Bytes from a named file or from standard input, a chunk at a time, stoppable by Ctrl-C. */
import { InterruptedError, UsageError } from '../core/errors.js';

export interface ByteSource {
  /** The next chunk, or null at the end; valid until the next read (copy it to keep it). */
  read(): Promise<Buffer | null>;
  close(): Promise<void>;
}

const CHUNK = 64 * 1024;
/** A file is read synchronously (no thread-pool round trip a chunk); every few chunks the event loop turns, so Ctrl-C is heard. */
const YIELD_EVERY = 128;

function whyNot(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
}

/** Opens a file the user named, or throws the usage error that says why it cannot be read. */
export async function openFile(file: string, what = 'explain'): Promise<import('node:fs/promises').FileHandle> {
  const { open } = process.getBuiltinModule('node:fs/promises');
  let fh: import('node:fs/promises').FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${file} (${whyNot(e)})`);
  }
  const st = await fh.stat();
  if (st.isDirectory()) {
    await fh.close();
    throw new UsageError(`${what}: cannot read ${file} (it is a directory)`);
  }
  return fh;
}

export function fileSource(fh: import('node:fs/promises').FileHandle, file: string): ByteSource {
  const { readSync } = process.getBuiltinModule('node:fs');
  let reads = 0;
  // one buffer for every read: the scanner decodes a chunk before it asks for the next
  const buf = Buffer.allocUnsafe(CHUNK);
  return {
    async read() {
      if (++reads % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
      let n: number;
      try {
        n = readSync(fh.fd, buf, 0, CHUNK, null);
      } catch (e) {
        throw new UsageError(`explain: cannot read ${file} (${whyNot(e)})`);
      }
      return n === 0 ? null : buf.subarray(0, n);
    },
    close: () => fh.close().catch(() => {}),
  };
}

/** A readable stream (standard input) as a source; a pending read ends at once on Ctrl-C. */
export function streamSource(stream: AsyncIterable<unknown>, signal: AbortSignal | undefined): ByteSource {
  const it = stream[Symbol.asyncIterator]();
  return {
    async read() {
      if (signal?.aborted) throw InterruptedError.from(signal);
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(InterruptedError.from(signal));
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => {});
      try {
        const r = await Promise.race([it.next(), aborted]);
        return r.done ? null : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as string);
      } finally {
        signal?.removeEventListener('abort', onAbort!);
      }
    },
    async close() {
      void it.return?.();
    },
  };
}
