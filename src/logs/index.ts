/**
 * `explain` on what the user has: one error text (read as before, by the command), or a log with any
 * number of errors (read here, as a stream, grouped by diagnosis), or a log being written (--follow).
 */
import type { CommandResult, Context } from '../commands/context.js';
import { InterruptedError, UsageError } from '../core/errors.js';
import { printDiagnosis } from '../render/diagnosis.js';
import { showDrawn } from '../render/reporter.js';
import { GroupTable, safeExample, type Group } from './groups.js';
import { ChunkDecoder } from './decode.js';
import { LogScanner } from './scan.js';
import { namedSource, streamSource, type ByteSource } from './source.js';
import { renderGithub, renderTable } from './render.js';
import { STARTS_WITH_DATE } from './timestamps.js';
import { parseJson } from '../core/json-depth.js';

export interface LogOptions {
  follow?: boolean;
  format?: string;
  /** --status or -H was given: the input is one response. */
  single?: boolean;
}

export const FORMATS = ['text', 'json', 'github'] as const;

/** What explain reads up front to tell one response from a log. */
const HEAD_BYTES = 64 * 1024;
const HEAD_MAX = 1024 * 1024;
/** One response is read whole, up to this. */
const MAX_SINGLE = 32 * 1024 * 1024;

/** The text of a single-text input, for its group's example. */
const singleTexts = new WeakMap<Context, string>();

/** Checks --format's value (--json against --format is checked for every command in cli.ts). */
export function checkFormat(ctx: Context, opts: LogOptions): void {
  const f = opts.format;
  if (f === undefined) return;
  if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got "${f}"`);
}

/**
 * Reads explain's input. One response (a body, `curl -i`/`-v` output, a HAR or captured JSON, or a
 * plain text holding exactly one error) comes back as its text, for the command to read as before;
 * a log is scanned here and comes back as the command's result.
 */
export async function readLogOrText(ctx: Context, file: string | undefined, opts: LogOptions): Promise<string | CommandResult> {
  checkFormat(ctx, opts);
  if (opts.follow) {
    const { follow } = await import('./follow.js');
    return follow(ctx, file, opts);
  }
  const src = await openSource(ctx, file);
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    let eof = false;
    // the head: 64 KiB, or up to 1 MiB while it holds fewer than two line ends
    while (size < HEAD_MAX) {
      const c = await src.read();
      if (c === null) {
        eof = true;
        break;
      }
      chunks.push(Buffer.from(c));
      size += c.length;
      if (size >= HEAD_BYTES && countNewlines(chunks, 2) >= 2) break;
    }
    const head = Buffer.concat(chunks);
    notText(head, file);
    const kind = classify(head, eof, opts);
    if (kind === 'empty') throw new UsageError('nothing to explain: the input is empty');
    if (kind === 'single') {
      const text = (await readRest(src, head, eof, ctx)).toString('utf8');
      singleTexts.set(ctx, text);
      return text;
    }
    const decoder = new ChunkDecoder();
    const table = new GroupTable();
    const scanner = new LogScanner((e) => table.add(e), ctx.deps.clock?.now?.() ?? Date.now());
    const headText = decoder.write(head);
    scanner.push(headText);
    if (eof) {
      scanner.push(decoder.end());
      scanner.end();
      const span = scanner.firstErrorSpan;
      // a plain text that is one error and nothing else: the command reads it whole, as before
      if (scanner.errors === 1 && span && span.first <= scanner.firstNonBlank && span.last >= scanner.lastNonBlank) {
        singleTexts.set(ctx, headText);
        return headText;
      }
      return logResult(ctx, table, scanner, head.length, opts);
    }
    const bytes = await pump(ctx, src, decoder, scanner, head.length);
    return logResult(ctx, table, scanner, bytes, opts);
  } finally {
    await src.close();
  }
}

async function openSource(ctx: Context, file: string | undefined): Promise<ByteSource> {
  if (file === undefined || file === '-') {
    const stdin = ctx.deps.stdin;
    if (!stdin || (stdin.isTTY && file === undefined)) {
      throw new UsageError(
        'explain needs a saved response or a log: a file, or one piped on standard input',
        'Example: apidoctor explain --status 429 error.json',
      );
    }
    return streamSource(stdin, ctx.deps.signal);
  }
  return (await namedSource(file, ctx.deps.signal)).source;
}

/** Reads the rest of the input into the scanner; returns the bytes read in all. */
export async function pump(ctx: Context, src: ByteSource, decoder: ChunkDecoder, scanner: LogScanner, already: number): Promise<number> {
  let bytes = already;
  const signal = ctx.deps.signal;
  for (;;) {
    if (signal?.aborted) throw InterruptedError.from(signal);
    const c = await src.read();
    if (c === null) break;
    bytes += c.length;
    scanner.push(decoder.write(c));
  }
  scanner.push(decoder.end());
  scanner.end();
  return bytes;
}

function countNewlines(chunks: Buffer[], max: number): number {
  let n = 0;
  for (const c of chunks) {
    for (let i = c.indexOf(10); i !== -1 && n < max; i = c.indexOf(10, i + 1)) n++;
    if (n >= max) break;
  }
  return n;
}

async function readRest(src: ByteSource, head: Buffer, eof: boolean, ctx: Context): Promise<Buffer> {
  if (eof) return head;
  const chunks = [head];
  let size = head.length;
  for (;;) {
    if (ctx.deps.signal?.aborted) throw InterruptedError.from(ctx.deps.signal);
    const c = await src.read();
    if (c === null) break;
    size += c.length;
    if (size > MAX_SINGLE) throw new UsageError('the input is larger than 32 MiB and is not a log; save only the response');
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks);
}

/** Files that are not text, by their first bytes: a clear answer instead of a reading of binary data. */
/* eslint-disable no-control-regex -- magic numbers are bytes */
const MAGIC: ReadonlyArray<[RegExp, string, string?]> = [
  [/^\x1f\x8b\x08/, 'gzip-compressed data', 'zcat FILE | apidoctor explain -'],
  [/^\x28\xb5\x2f\xfd/, 'zstd-compressed data', 'zstdcat FILE | apidoctor explain -'],
  [/^BZh[1-9]1AY&SY/, 'bzip2-compressed data', 'bzcat FILE | apidoctor explain -'],
  [/^\xfd7zXZ\x00/, 'xz-compressed data', 'xzcat FILE | apidoctor explain -'],
  [/^PK\x03\x04/, 'a zip archive', 'unzip -p FILE | apidoctor explain -'],
  [/^\x7fELF/, 'an executable (ELF)'],
  [/^\x89PNG\r\n\x1a\n/, 'a PNG image'],
  [/^\xff\xd8\xff/, 'a JPEG image'],
  [/^%PDF-/, 'a PDF document'],
];
/* eslint-enable no-control-regex */

function notText(head: Buffer, file: string | undefined): void {
  const start = head.subarray(0, 16).toString('latin1');
  for (const [re, what, how] of MAGIC) {
    if (!re.test(start)) continue;
    const name = file && file !== '-' ? file : 'the input';
    throw new UsageError(
      `${name} is binary data (${what}), not a response or an error text`,
      how
        ? `Read it as text first: ${how.replace('FILE', file && file !== '-' ? file : 'app.log.gz')}`
        : 'Give explain a saved response or a text log.',
    );
  }
}

const LOG_KEYS = /^(?:level|severity|levelname|lvl|msg|time|timestamp|@timestamp|ts|event|logger|log)$/;

/** One response, a log (plain text too: a plain text that holds one error is told after the scan), or nothing. */
function classify(head: Buffer, eof: boolean, opts: LogOptions): 'empty' | 'single' | 'log' {
  const text = head.toString('utf8', 0, Math.min(head.length, HEAD_MAX)).replace(/^\uFEFF/, '');
  const lead = text.trimStart();
  if (lead === '' && eof) return 'empty';
  if (opts.single) return 'single';
  if (head.includes(0)) return 'single'; // binary: read as a body, as before ("the body was binary data")
  if (/^(?:HTTP\/\d|<|(?:data|event|id|retry):)/.test(lead) || /^< HTTP\/\d/m.test(text)) return 'single';
  if (lead.startsWith('{') || (lead.startsWith('[') && !STARTS_WITH_DATE.test(lead) && !/^\[[A-Za-z]/.test(lead))) {
    const nl = lead.indexOf('\n');
    if (nl === -1) return 'single';
    let first: unknown;
    try {
      first = parseJson(lead.slice(0, nl));
    } catch {
      return 'single'; // pretty-printed JSON, a HAR file
    }
    if (first && typeof first === 'object' && !Array.isArray(first) && Object.keys(first).some((k) => LOG_KEYS.test(k))) return 'log';
    return /^\s*\{/.test(lead.slice(nl + 1)) ? 'log' : 'single';
  }
  return 'log';
}

/** The groups as the JSON document shows them. */
function groupJson(g: Group) {
  return {
    id: g.id,
    category: g.category,
    count: g.count,
    firstSeen: g.first?.iso ?? null,
    lastSeen: g.last?.iso ?? null,
    firstLine: g.firstLine,
    lastLine: g.lastLine,
    example: g.example,
  };
}

/** The command's result for a scanned log. */
export function logResult(
  ctx: Context,
  table: GroupTable,
  scanner: LogScanner,
  bytes: number,
  opts: LogOptions,
  interrupted = false,
): CommandResult {
  const input = { lines: scanner.lines, bytes, ...(scanner.cutLines ? { linesCut: scanner.cutLines } : {}) };
  if (table.errors === 0) {
    return {
      command: 'explain',
      reason: interrupted ? 'interrupted' : 'ok',
      data: { input, errors: 0, groups: [], patterns: [] },
      diagnoses: [],
      shown: showDrawn((o) => {
        if (opts.format === 'github') o.out(`apidoctor explain: no API error found in ${scanner.lines} lines\n`);
        else {
          // Interrupted, nothing is settled: no tick, the words say so (exit 130).
          const mark = interrupted ? o.style.warn(o.style.symbols.warn) : o.style.ok(o.style.symbols.pass);
          o.out(
            `${mark} no API error found in ${scanner.lines.toLocaleString('en-US')} ${scanner.lines === 1 ? 'line' : 'lines'}${interrupted ? ' read before the interruption' : ''}.\n`,
          );
        }
      }),
    };
  }
  const groups = table.ordered();
  const patterns = table.patterns();
  // one error and nothing else (a 10 MB error line, say): shown as a single text is
  const span = scanner.firstErrorSpan;
  const alone = table.errors === 1 && !!span && span.first <= scanner.firstNonBlank && span.last >= scanner.lastNonBlank;
  const cutNote = scanner.cutLines
    ? [`${scanner.cutLines} ${scanner.cutLines === 1 ? 'line was' : 'lines were'} longer than 64 KiB; the head of each was read.`]
    : [];
  return {
    command: 'explain',
    reason: interrupted ? 'interrupted' : groups[0]!.category,
    data: { input, errors: table.errors, groups: groups.map(groupJson), patterns },
    diagnoses: groups.map((g) => g.diagnosis),
    shown: showDrawn((o) => {
      if (opts.format === 'github') return renderGithub(o, groups, table.errors, scanner.lines, patterns);
      if (alone && !interrupted) {
        o.out(`${groups[0]!.id}\n`);
        for (const n of cutNote) o.warn(n);
        return printDiagnosis(o, groups[0]!.diagnosis);
      }
      renderTable(o, groups, table.errors, scanner.lines, patterns, interrupted);
      for (const n of cutNote) o.warn(n);
      if (groups.length > 1 && !o.quiet)
        o.err(o.style.dim(`The most frequent cause, ${groups[0]!.id} (every group's diagnosis: --json):\n`));
      printDiagnosis(o, groups[0]!.diagnosis);
    }),
  };
}

/**
 * A single text's result, with what a log's has: `errors` (1, or 0 when there was nothing to diagnose)
 * and its one group; `--format github` annotates it.
 */
export function asOneText(ctx: Context, r: CommandResult, opts: LogOptions): CommandResult {
  if ('groups' in r.data) return r;
  const text = singleTexts.get(ctx) ?? '';
  const d = r.diagnoses[0];
  if (!d) return { ...r, data: { ...r.data, errors: 0, groups: [] } };
  const line = text.trim().split('\n', 1)[0] ?? '';
  const group = {
    id: d.id,
    category: d.category,
    count: 1,
    firstSeen: null,
    lastSeen: null,
    firstLine: 1,
    lastLine: 1,
    example: safeExample(line),
  };
  const shown =
    opts.format === 'github'
      ? showDrawn((o) =>
          renderGithub(
            o,
            [{ ...group, first: undefined, last: undefined, diagnosis: d, models: new Map(), otherModels: 0 }],
            1,
            text.split('\n').length,
            [],
          ),
        )
      : r.shown;
  return { ...r, data: { ...r.data, errors: 1, groups: [group] }, shown };
}
