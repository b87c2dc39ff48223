import { UsageError } from './errors.js';
import { InterruptedError } from './errors.js';

/**
 * Reads a stream (standard input) to its end. Ctrl-C stops the wait at once: a pipe that never closes
 * must not keep apidoctor from answering (with --json, the one JSON document says "interrupted").
 * `tooBig` is thrown once more than `maxBytes` arrive.
 */
export async function readAll(
  stream: AsyncIterable<unknown>,
  opts: { signal?: AbortSignal; maxBytes?: number; tooBig?: () => Error } = {},
): Promise<Buffer> {
  const { signal, maxBytes = Infinity } = opts;
  if (signal?.aborted) throw InterruptedError.from(signal);
  const it = stream[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(InterruptedError.from(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {}); // it rejects only while a read is pending, and that read's race takes it
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for (;;) {
      const r = await Promise.race([it.next(), aborted]);
      if (r.done) break;
      const b = Buffer.from(r.value as Buffer);
      size += b.length;
      if (size > maxBytes) throw opts.tooBig?.() ?? new Error(`more than ${maxBytes} bytes`);
      chunks.push(b);
    }
  } catch (e) {
    void it.return?.(); // stop reading (and let the stream go)
    throw e;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(chunks);
}

/** Reads a text file the user named, or throws a usage error that says why it cannot be read. */
export async function readNamedFile(file: string, what: string, hint?: string): Promise<string> {
  const { readFile } = process.getBuiltinModule('node:fs/promises');
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (e as Error).message;
    throw new UsageError(`${what}: cannot read ${file} (${why})`, hint);
  }
}

/**
 * Splits a "Name: value" header given on the command line, or throws a usage error naming the flag.
 * `forSending`: the header goes on a request, so its value must be one HTTP can carry.
 */
export function splitHeaderLine(line: string, flag = '--header', forSending = false): [name: string, value: string] {
  const i = line.indexOf(':');
  const name = i > 0 ? line.slice(0, i).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`${flag} "${line}" is not of the form "Name: value"`);
  const value = line.slice(i + 1).trim();
  // What an HTTP header can carry (RFC 9110 field-value); anything else would fail the request itself.
  const bad = forSending ? /[^\t\x20-\x7e\x80-\xff]/.exec(value) : null;
  if (bad) {
    const c = bad[0].codePointAt(0)!;
    const what = bad[0] === '\r' || bad[0] === '\n' ? 'a line break' : c < 0x20 || c === 0x7f ? 'a control character' : `"${bad[0]}"`;
    throw new UsageError(
      `${flag} ${name}: the value has ${what}, which an HTTP header cannot carry`,
      'Header values take printable ASCII, spaces, tabs and Latin-1 letters; percent-encode or base64 anything else.',
    );
  }
  return [name, value];
}
