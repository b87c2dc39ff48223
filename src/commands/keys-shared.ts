/**
 * The steps every `keys` subcommand shares: reading a key reference, the key list (GET /api/keys, the
 * configured key marked), finding one key, the warnings about the configured key, and the confirmation of a
 * change (asked on a terminal, else --yes).
 */
import type { CommandResult, Context } from './context.js';
import type { Failure } from '../core/types.js';
import { DiagnosedError, InterruptedError, UsageError } from '../core/errors.js';
import { preflight } from '../diagnosis/key-problem.js';
import { SHAPES, parseJsonSuccess, successCapFor } from '../api/api.js';
import { matchKeyRecord, type KeyRecord } from '../api/account.js';
import { MAX_KEYS, MAX_TEXT_BYTES, keyListFrom, matchIndex, type KeyList } from '../api/key-list.js';
import { KeyListScanner } from '../api/key-list-scan.js';
import { diagnoseById } from '../diagnosis/engine.js';
import { diagnoseFailure } from '../api/diagnose-failure.js';
import { redactor } from '../core/redact.js';
import { day, keyLabel, listView, type KeyView } from '../render/keys.js';
import { KEY_CHANGE_REPORTERS } from '../render/keys-report.js';
import { show } from '../render/reporter.js';
import { fitToWidth } from '../render/layout.js';

/** A key id: a positive whole number. */
export function parseId(raw: string): number {
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`expected a numeric key id, got ${JSON.stringify(raw)}`, 'The ids are in the first column of: apidoctor keys');
  }
  return Number(raw);
}

/**
 * The key a change names, as `keys show` takes it: a numeric id, or a proxy key's prefix (ms-…) or the
 * whole key (never printed back). Anything else is a usage error, before any request.
 */
export function keyRef(raw: string): string {
  const r = raw.trim();
  if (/^\d+$/.test(r)) return String(parseId(r));
  if (/^ms-/i.test(r) && r.length >= 4) {
    if (r.length > 16) redactor.add(r);
    return r;
  }
  throw new UsageError(
    `expected a numeric key id or a key prefix (ms-…), got ${JSON.stringify(raw)}`,
    'The ids and prefixes are in the first columns of: apidoctor keys',
  );
}

/** Known with no request: a bad base URL, a missing or wrong billing key. */
export function refuseEarly(ctx: Context, method: string, endpoint: string): void {
  const problem = preflight('billingKey', ctx.config, { method, endpoint });
  if (problem) throw new DiagnosedError(problem);
}

/** The diagnosis of a failed /api/keys request, thrown: exit by its category. */
export function fail(ctx: Context, f: Failure): never {
  throw new DiagnosedError(diagnoseFailure(ctx.config, f, { role: 'billingKey' }));
}

/**
 * GET /api/keys as a KeyList, the configured key marked. The plain answer is read straight into columns;
 * anything else (not JSON, another shape, cut at the cap) goes through parseJsonSuccess, which names the problem.
 */
export async function fetchList(ctx: Context): Promise<KeyList> {
  refuseEarly(ctx, 'GET', '/api/keys');
  const spin = ctx.out.spinner('GET /api/keys…');
  // The answer is read into the list as it arrives (a million keys are 120 MB of JSON, never held whole).
  let scanner = new KeyListScanner();
  let attempt = 0;
  const bodySink = {
    write: (chunk: Buffer, n: number) => {
      if (n !== attempt) [scanner, attempt] = [new KeyListScanner(), n];
      return scanner.write(chunk);
    },
    complete: () => scanner.end() !== undefined,
  };
  let res = await ctx.api.request('GET', '/api/keys', { retries: 2, bodySink });
  if (!res.ok) fail(ctx, res.failure);
  let list = scanner.end();
  if (!list && res.truncated && !scanner.tooLarge && res.bytes <= (successCapFor('GET', '/api/keys') ?? 0)) {
    // The scanner gave up on an answer past the part the client keeps of what a sink reads (its first MiB):
    // asked again, without a sink, so that parseJsonSuccess can say what the whole answer is.
    res = await ctx.api.request('GET', '/api/keys', { retries: 2 });
    if (!res.ok) fail(ctx, res.failure);
  }
  spin.stop();
  if (!list) {
    const r = parseJsonSuccess<unknown>(scanner.tooLarge ? { ...res, truncated: true } : res, 'GET', ctx.api.url('/api/keys'), SHAPES.keys);
    if (!r.ok) {
      if (scanner.tooLarge)
        r.failure.expected = `a key list within apidoctor's bound (${MAX_KEYS.toLocaleString('en-US')} keys, ${MAX_TEXT_BYTES / 2 ** 20} MiB of names and prefixes)`;
      fail(ctx, r.failure);
    }
    list = keyListFrom(r.data);
  }
  list.configured = matchIndex(list, ctx.config.apiKey.value);
  return list;
}

/** GET /api/keys as views, the configured key marked (for the commands that look at one key). */
export async function fetchKeys(ctx: Context): Promise<KeyView[]> {
  const list = await fetchList(ctx);
  const now = Date.now();
  return Array.from({ length: list.length }, (_, i) => listView(list, i, now));
}

/** Where the configured proxy key came from, for the legend. */
export function configuredSource(ctx: Context): string | undefined {
  return ctx.config.apiKey.value !== undefined ? `from ${ctx.config.apiKey.source}` : undefined;
}

/** Warnings about the configured proxy key that the table alone would leave to the reader. */
export function configuredWarnings(ctx: Context, keys: KeyView[]): string[] {
  if (ctx.config.apiKey.value === undefined) return [];
  const mine = keys.find((k) => k.configured);
  const from = `the proxy key from ${ctx.config.apiKey.source}`;
  if (!mine)
    return [`${cap(from)} is not in this account's key list: it was deleted, or it belongs to another account (requests with it get 401).`];
  if (mine.status === 'inactive')
    return [
      `${cap(from)} is ${keyLabel(mine)}, which is INACTIVE: requests with it get 403. Reactivate it: apidoctor keys activate ${mine.id}`,
    ];
  if (mine.status === 'expired')
    return [
      `${cap(from)} is ${keyLabel(mine)}, which EXPIRED on ${day(mine.expiresAt)}: requests with it are refused. Rotate it: apidoctor keys rotate ${mine.id} --name <new name>`,
    ];
  return [];
}

export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Confirmation for a change. With --yes: go. On a terminal (see canAsk): ask y/N.
 * Otherwise refuse (exit 2) before anything is sent. Call it before the first request.
 */
export function mustConfirm(ctx: Context, yes: boolean | undefined, command: string, warning: string): boolean {
  if (yes) return false;
  if (canAsk(ctx)) return true;
  throw new UsageError(
    `apidoctor keys ${command} changes the account and needs confirmation, but there is no terminal to ask on: nothing was sent. ${warning}`.trim(),
    `Confirm with --yes: apidoctor ${globalFlags(ctx)}keys ${command} --yes`,
  );
}

/** A word for a POSIX shell: as it is when it is safe, else in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line of a change, every option the user gave as given (the raw --expires, not the date it became), quoted. */
export function changeLine(words: Array<string | [flag: string, value: string | undefined]>): string {
  return words.flatMap((w) => (typeof w === 'string' ? [w] : w[1] === undefined ? [] : [w[0], shellQuote(w[1])])).join(' ');
}

/** The global options given as flags that the suggested command must repeat (never a key). */
export function globalFlags(ctx: Context): string {
  const o = ctx.opts;
  const line = changeLine([
    ['--base-url', o.baseUrl],
    ['--config', o.config],
    ['--timeout', o.timeout],
  ]);
  return line ? `${line} ` : '';
}

/** Asks only at a terminal: stdin and stderr TTYs (the question and the answer), and stdout too (contract: never prompts when stdin or stdout is not a TTY). */
export function canAsk(ctx: Context): boolean {
  return !!ctx.deps.stdin?.isTTY && !!ctx.deps.stderr.isTTY && !!ctx.deps.stdout.isTTY;
}

/** Asks a y/N question on stderr and reads one line from stdin; anything but y/yes is no. */
export async function ask(ctx: Context, question: string): Promise<boolean> {
  // Wrapped at the width; the answer goes after the last line.
  ctx.out.progress(`${fitToWidth(`${question} [y/N]`, ctx.out.width)} `, true);
  const stdin = ctx.deps.stdin;
  if (!stdin) return false;
  const signal = ctx.deps.signal;
  const answer = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const done = () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      signal?.removeEventListener('abort', onAbort);
      stdin.pause();
    };
    const onData = (chunk: Buffer | string) => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        done();
        resolve(buf.slice(0, nl));
      }
    };
    const onEnd = () => {
      done();
      resolve(buf);
    };
    const onAbort = () => {
      done();
      // The cursor is still after "[y/N] ": end that line, so "✗ Interrupted" starts its own.
      ctx.out.progress('\n', true);
      reject(InterruptedError.from(signal));
    };
    if (signal?.aborted) return onAbort();
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    signal?.addEventListener('abort', onAbort, { once: true });
    stdin.resume();
  });
  return /^\s*y(es)?\s*$/i.test(answer);
}

/** The answer "no": nothing was sent. */
export function declined(command: string, data: Record<string, unknown>): CommandResult {
  return {
    command: 'keys',
    reason: 'failed',
    data: { action: command, ...data, sent: false },
    diagnoses: [],
    shown: show(KEY_CHANGE_REPORTERS, 'text', { kind: 'declined' }),
  };
}

/** Finds one key by id or prefix; ambiguity is a usage error, absence is resource.not-found. */
export function findKey(keys: KeyView[], ref: string): KeyView {
  const r = ref.trim();
  let hits: KeyView[];
  if (/^\d+$/.test(r)) hits = keys.filter((k) => k.id === Number(r));
  else {
    const asRecords: KeyRecord[] = keys.map((k) => ({ id: k.id, prefix: k.prefix, active: k.active }));
    const byKey = matchKeyRecord(asRecords, r);
    hits = byKey ? keys.filter((k) => k.id === byKey.id) : r.length >= 3 ? keys.filter((k) => k.prefix.startsWith(r)) : [];
  }
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1)
    throw new UsageError(`"${r}" matches ${hits.length} keys: ${hits.map((k) => keyLabel(k)).join(', ')}`, 'Give the numeric id instead.');
  const what = /^\d+$/.test(r) ? `id ${r}` : `prefix "${r}"`;
  const d = diagnoseById('resource.not-found', { method: 'GET', endpoint: '/api/keys' }, [`No proxy key on this account has the ${what}.`]);
  // The catalog's steps are about paths and models; here the account's key list answered, and the key is not in it.
  throw new DiagnosedError({
    ...d,
    title: `No proxy key with the ${what}`,
    explanation: `GET /api/keys answered, and no proxy key in it has the ${what}: it was deleted, or it belongs to another account (another billing key).`,
    remedies: [
      'List the keys with their ids and prefixes: apidoctor keys',
      'Then give the id from the first column, or the prefix (ms-…): apidoctor keys show <id|prefix>',
      "Keys of another account need that account's billing key: --billing-key, or MODELSWITCH_BILLING_KEY",
    ],
  });
}
