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
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EACCES'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'it is a directory'
        : (e as Error).message;
}

/**
 * Opens a file the user named, or throws the usage error that says why it cannot be read. Opened
 * non-blocking, so that a FIFO nobody writes to (or a device) cannot hold the open in the thread pool,
 * where Ctrl-C could not end it; O_NONBLOCK changes nothing for a regular file.
 */
export async function openFile(file: string, what = 'explain'): Promise<import('node:fs/promises').FileHandle> {
  const { open } = process.getBuiltinModule('node:fs/promises');
  const { constants } = process.getBuiltinModule('node:fs');
  let fh: import('node:fs/promises').FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
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

/**
 * A named file as a source: a regular file or a device read a chunk at a time; a FIFO (or a terminal)
 * as a stream, which waits for its writer on the event loop, so Ctrl-C ends the wait. The descriptor
 * opened is the one read (a FIFO closed and opened again could lose what a quick writer wrote).
 */
export async function namedSource(
  file: string,
  signal: AbortSignal | undefined,
  what = 'explain',
): Promise<{ source: ByteSource; stream: boolean }> {
  const fs = process.getBuiltinModule('node:fs');
  const cannot = (e: unknown) => new UsageError(`${what}: cannot read ${file} (${whyNot(e)})`);
  const fd = await new Promise<number>((resolve, reject) =>
    fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK, (e, fd) => (e ? reject(cannot(e)) : resolve(fd))),
  );
  let st: import('node:fs').Stats;
  try {
    st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new UsageError(`${what}: cannot read ${file} (it is a directory)`);
  } catch (e) {
    fs.closeSync(fd);
    throw e instanceof UsageError ? e : cannot(e);
  }
  const tty = process.getBuiltinModule('node:tty');
  const close = async () => {
    try {
      fs.closeSync(fd);
    } catch {
      // closed already
    }
  };
  if (!st.isFIFO() && !(st.isCharacterDevice() && tty.isatty(fd)))
    return { source: fdSource(fd, file, signal, close), stream: st.isCharacterDevice() };
  let stream: import('node:stream').Readable;
  try {
    // the stream takes the descriptor over (and closes it)
    stream = st.isFIFO()
      ? new (process.getBuiltinModule('node:net').Socket)({ fd, readable: true, writable: false })
      : new tty.ReadStream(fd);
  } catch (e) {
    await close();
    throw cannot(e);
  }
  const inner = streamSource(stream, signal);
  return {
    source: {
      read: async () => {
        try {
          return await inner.read();
        } catch (e) {
          if (e instanceof InterruptedError) throw e;
          throw cannot(e);
        }
      },
      close: async () => {
        await inner.close();
        stream.destroy();
      },
    },
    stream: true,
  };
}

function fdSource(fd: number, file: string, signal: AbortSignal | undefined, close: () => Promise<void>): ByteSource {
  const { readSync } = process.getBuiltinModule('node:fs');
  let reads = 0;
  // one buffer for every read: the scanner decodes a chunk before it asks for the next
  const buf = Buffer.allocUnsafe(CHUNK);
  return {
    async read() {
      if (++reads % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
      let n: number;
      for (;;) {
        try {
          n = readSync(fd, buf, 0, CHUNK, null);
          break;
        } catch (e) {
          // a device with nothing to read yet (the descriptor is non-blocking): wait a little, Ctrl-C heard
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw new UsageError(`explain: cannot read ${file} (${whyNot(e)})`);
          if (signal?.aborted) throw InterruptedError.from(signal);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      return n === 0 ? null : buf.subarray(0, n);
    },
    close,
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
