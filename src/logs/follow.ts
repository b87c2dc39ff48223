/**
 * `explain --follow [file|-]`: a log being written. Each new error gets one line as it arrives (a
 * repeat is counted, and shown again only at ×10, ×100, ×1000… or after a minute without it); at the
 * end of a pipe, or on Ctrl-C, the grouped summary. A followed file is read from its start and then
 * watched as `tail -F` does: when it is renamed away and a new one takes its name (rotation), the old
 * one is read to its end and the new one from its start; when it shrinks (truncation), it is read again
 * from its start. With --json: one JSON line an error, the summary document last.
 */
import type { CommandResult, Context } from '../commands/context.js';
import { InterruptedError, UsageError } from '../core/errors.js';
import { GroupTable, safeExample } from './groups.js';
import { ChunkDecoder } from './decode.js';
import { LogScanner, type LogError } from './scan.js';
import { namedSource, openFile, streamSource, type ByteSource } from './source.js';
import { followLine } from './render.js';
import { logResult, type LogOptions } from './index.js';

/** How often a followed file is looked at, and how long a quiet input waits before its open record is read. */
export const POLL_MS = 25;
export const QUIET_MS = 30;
/** A repeat is shown again after this long without it. */
const REPEAT_AFTER_MS = 60_000;

function isPowerOf10(n: number): boolean {
  return n >= 10 && /^10*$/.test(String(n));
}

export async function follow(ctx: Context, file: string | undefined, opts: LogOptions): Promise<CommandResult> {
  const o = ctx.out;
  const signal = ctx.deps.signal;
  const table = new GroupTable();
  const lastShown = new Map<string, number>();
  const onError = (e: LogError) => {
    const g = table.add(e);
    const now = Date.now();
    if (o.json) {
      o.out(
        `${JSON.stringify({ event: 'error', n: e.n, id: g.id, category: g.category, title: g.diagnosis.title, count: g.count, line: e.line, time: e.time?.iso ?? null, example: safeExample(e.example) })}\n`,
      );
      return;
    }
    const shown = lastShown.get(g.id);
    if (g.count === 1 || shown === undefined) followLine(o, e, g);
    else if (isPowerOf10(g.count) || now - shown >= REPEAT_AFTER_MS) followLine(o, e, g, g.count);
    else return;
    lastShown.set(g.id, now);
  };
  const scanner = new LogScanner(onError);
  const decoder = new ChunkDecoder();
  let bytes = 0;
  let interrupted = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(InterruptedError.from(signal));
      const onAbort = () => {
        clearTimeout(t);
        reject(InterruptedError.from(signal));
      };
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  try {
    let src: ByteSource | undefined;
    if (file === undefined || file === '-') {
      const stdin = ctx.deps.stdin;
      if (!stdin || (stdin.isTTY && file === undefined))
        throw new UsageError(
          'explain --follow needs a log: a file, or - for one piped on standard input',
          'Example: node app.js 2>&1 | apidoctor explain --follow -',
        );
      src = streamSource(stdin, signal);
    } else {
      // a named pipe (or a device) is followed as standard input is; a regular file as `tail -F` does
      const named = await namedSource(file, signal, 'explain --follow');
      if (named.stream) src = named.source;
      else await named.source.close();
    }
    if (src) {
      try {
        for (;;) {
          // a quiet pipe: what arrived is complete (an app writes a stack trace at once)
          const quiet = setTimeout(() => scanner.flush(), QUIET_MS);
          let c: Buffer | null;
          try {
            c = await src.read();
          } finally {
            clearTimeout(quiet);
          }
          if (c === null) break;
          bytes += c.length;
          scanner.push(decoder.write(c));
        }
      } finally {
        await src.close();
      }
    } else {
      await tailF(
        file!,
        (c) => {
          bytes += c.length;
          scanner.push(decoder.write(c));
        },
        () => scanner.flush(),
        (note) => o.warn(note),
        sleep,
      );
    }
  } catch (e) {
    if (!(e instanceof InterruptedError) || e.signal !== 'SIGINT') throw e;
    interrupted = true;
  }
  scanner.push(decoder.end());
  scanner.end();
  const result = logResult(ctx, table, scanner, bytes, opts, interrupted);
  return { ...result, jsonLine: true };
}

/** Follows a file by name until interrupted. */
async function tailF(
  file: string,
  onData: (c: Buffer) => void,
  onQuiet: () => void,
  note: (s: string) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const { stat } = process.getBuiltinModule('node:fs/promises');
  let fh = await openFile(file, 'explain --follow');
  let st = await fh.stat();
  let pos = 0;
  let dataSinceQuiet = false;
  const buf = Buffer.allocUnsafe(256 * 1024);
  const drain = async () => {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return;
      pos += bytesRead;
      dataSinceQuiet = true;
      onData(Buffer.from(buf.subarray(0, bytesRead)));
    }
  };
  try {
    for (;;) {
      await drain();
      let now: import('node:fs').Stats | undefined;
      try {
        now = await stat(file);
      } catch {
        now = undefined; // renamed away, the new one not there yet: keep reading the old one
      }
      if (now && (now.ino !== st.ino || now.dev !== st.dev)) {
        await drain();
        onQuiet();
        await fh.close().catch(() => {});
        fh = await openFile(file, 'explain --follow');
        st = await fh.stat();
        pos = 0;
        note(`${file} was replaced (rotated): following the new file from its start`);
        continue;
      }
      const size = (await fh.stat()).size;
      if (size < pos) {
        onQuiet();
        pos = 0;
        note(`${file} was truncated: reading it again from its start`);
        continue;
      }
      if (dataSinceQuiet) {
        // the input has been quiet for one poll: what arrived is complete
        await sleep(POLL_MS);
        if ((await fh.stat()).size === pos) {
          onQuiet();
          dataSinceQuiet = false;
        }
        continue;
      }
      await sleep(POLL_MS);
    }
  } finally {
    await fh.close().catch(() => {});
  }
}
