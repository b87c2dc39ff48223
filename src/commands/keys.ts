import type { Command } from 'commander';
import type { CommandResult, Context, Register, Runner } from './context.js';
import { withOptions } from './register.js';
import { COMMANDS } from '../config/options.js';
import type { Failure } from '../core/types.js';
import { DiagnosedError, InterruptedError, UsageError } from '../core/errors.js';
import { parseCount, type SettingName } from '../config/settings.js';
import { preflight } from '../diagnosis/key-problem.js';
import { SHAPES, parseJsonSuccess } from '../api/api.js';
import { daysLeftText, expiringDiagnosis, matchKeyRecord, toKeyRecords, type KeyRecord } from '../api/account.js';
import { KeyListScanner, MAX_KEYS, MAX_TEXT_BYTES, keyListFrom, matchIndex, type KeyList } from '../api/key-list.js';
import { diagnoseById } from '../diagnosis/engine.js';
import { diagnoseFailure } from '../api/diagnose-failure.js';
import { redactor } from '../core/redact.js';
import { day, keyDetails, keyLabel, keyView, listDays, listView, listViewJson, writeKeyListTable, type KeyView } from '../render/keys.js';
import { JsonArrayStream, type Output } from '../render/output.js';
import { annotation } from '../render/github.js';
import { fitToWidth } from '../render/layout.js';
import { parseJson } from '../core/json-depth.js';

const NEEDS: readonly SettingName[] = ['apiKey', 'billingKey', 'baseUrl', 'timeout'];
const DAY_MS = 86_400_000;

interface ListOptions {
  expiringWithin?: string;
  format?: string;
}
const LIST_FORMATS = ['text', 'json', 'github'] as const;
interface ChangeOptions {
  yes?: boolean;
}
interface CreateOptions extends ChangeOptions {
  name: string;
  expires?: string;
}

/** Registers `apidoctor keys` and its subcommands; `keys` alone lists. */
export const register: Register = (program, run) => {
  const keys = program
    .command('keys')
    .description(COMMANDS.keys)
    .addHelpText(
      'after',
      `
Changes (create, activate, deactivate, delete, rotate) ask for confirmation on a terminal;
without one (CI, pipes) they need --yes and otherwise send nothing.

Examples:
  apidoctor keys                               the table; * marks the key apidoctor uses
  apidoctor keys --expiring-within 14          exit 1 when an active key expires within 14 days
  apidoctor keys create --name CI --expires 90d
  apidoctor keys rotate 1 --name "Production 2"   new key first; delete the old one yourself`,
    );
  withOptions(
    keys
      .command('list', { isDefault: true })
      .description('the proxy keys on the account: id, name, prefix, status, created, expires, days left'),
    'keys list',
  )
    .allowExcessArguments()
    .action(async (opts: ListOptions, cmd: Command) => {
      const extra = cmd.args;
      if (extra.length > 0) {
        throw new UsageError(
          `unknown keys subcommand "${extra[0]}"`,
          'Use one of: list, show, create, activate, deactivate, delete, rotate (apidoctor keys --help).',
        );
      }
      await run('keys', cmd, NEEDS, (ctx) => listCommand(ctx, opts));
    });

  keys
    .command('show')
    .description('one key, by id or prefix')
    .argument('<id|prefix>', 'numeric id, or the key prefix (ms-abc1…)')
    .action(async (ref: string, _o: unknown, cmd: Command) => run('keys', cmd, NEEDS, (ctx) => showCommand(ctx, ref)));

  withOptions(keys.command('create').description('create a proxy key; the full key is printed once'), 'keys create').action(
    async (opts: CreateOptions, cmd: Command) => run('keys', cmd, NEEDS, (ctx) => createCommand(ctx, opts)),
  );

  // `keys --help` shows each subcommand's options too (commander lists only the subcommand names).
  keys.addHelpText('after', () => `\nSubcommand options (apidoctor keys <subcommand> --help says more):\n${subcommandOptions(keys)}`);

  changeVerb(keys, run, 'activate', 'activate a key (PUT active: true)');
  changeVerb(keys, run, 'deactivate', 'deactivate a key: reversible, requests with it get 403');
  changeVerb(keys, run, 'delete', 'delete a key: irreversible, apps using it get 401 at once');

  withOptions(
    keys
      .command('rotate')
      .description('create a replacement key; you switch your app, then delete the old one')
      .argument('<id|prefix>', 'id or prefix of the key to replace'),
    'keys rotate',
  ).action(async (id: string, opts: CreateOptions, cmd: Command) => run('keys', cmd, NEEDS, (ctx) => rotateCommand(ctx, id, opts)));
};

/** Each subcommand with its options on one line, for `keys --help` (which lists only the names). */
function subcommandOptions(keys: Command): string {
  const rows = keys.commands.map(
    (sub) =>
      [
        sub.name(),
        sub.options
          .filter((o) => !o.hidden)
          .map((o) => o.flags.replace(', ', '/'))
          .join(', '),
      ] as const,
  );
  const w = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([c, f]) => `  ${c.padEnd(w)}  ${f || '-'}`).join('\n') + '\n';
}

type Verb = 'activate' | 'deactivate' | 'delete';

function changeVerb(keys: Command, run: Runner, verb: Verb, description: string): void {
  withOptions(
    keys
      .command(verb)
      .description(description)
      .argument('<id|prefix>', 'numeric key id, or the key prefix (ms-abc1…) (see apidoctor keys)'),
    'keys change',
  ).action(async (id: string, opts: ChangeOptions, cmd: Command) => run('keys', cmd, NEEDS, (ctx) => changeCommand(ctx, verb, id, opts)));
}

// ── shared steps ──────────────────────────────────────────────────────────────────────────

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
function refuseEarly(ctx: Context, method: string, endpoint: string): void {
  const problem = preflight('billingKey', ctx.config, { method, endpoint });
  if (problem) throw new DiagnosedError(problem);
}

/** The diagnosis of a failed /api/keys request, thrown: exit by its category. */
function fail(ctx: Context, f: Failure): never {
  throw new DiagnosedError(diagnoseFailure(ctx.config, f, { role: 'billingKey' }));
}

/**
 * GET /api/keys as a KeyList, the configured key marked. The plain answer is read straight into columns;
 * anything else (not JSON, another shape, cut at the cap) goes through parseJsonSuccess, which names the problem.
 */
async function fetchList(ctx: Context): Promise<KeyList> {
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
  const res = await ctx.api.request('GET', '/api/keys', { retries: 2, bodySink });
  spin.stop();
  if (!res.ok) fail(ctx, res.failure);
  let list = scanner.end();
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
async function fetchKeys(ctx: Context): Promise<KeyView[]> {
  const list = await fetchList(ctx);
  const now = Date.now();
  return Array.from({ length: list.length }, (_, i) => listView(list, i, now));
}

/** Where the configured proxy key came from, for the legend. */
function configuredSource(ctx: Context): string | undefined {
  return ctx.config.apiKey.value !== undefined ? `from ${ctx.config.apiKey.source}` : undefined;
}

/** Warnings about the configured proxy key that the table alone would leave to the reader. */
function configuredWarnings(ctx: Context, keys: KeyView[]): string[] {
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

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Confirmation for a change. With --yes: go. On a terminal (see canAsk): ask y/N.
 * Otherwise refuse (exit 2) before anything is sent. Call it before the first request.
 */
function mustConfirm(ctx: Context, yes: boolean | undefined, command: string, warning: string): boolean {
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
function changeLine(words: Array<string | [flag: string, value: string | undefined]>): string {
  return words.flatMap((w) => (typeof w === 'string' ? [w] : w[1] === undefined ? [] : [w[0], shellQuote(w[1])])).join(' ');
}

/** The global options given as flags that the suggested command must repeat (never a key). */
function globalFlags(ctx: Context): string {
  const o = ctx.opts;
  const line = changeLine([
    ['--base-url', o.baseUrl],
    ['--config', o.config],
    ['--timeout', o.timeout],
  ]);
  return line ? `${line} ` : '';
}

/** Asks only at a terminal: stdin and stderr TTYs (the question and the answer), and stdout too (contract: never prompts when stdin or stdout is not a TTY). */
function canAsk(ctx: Context): boolean {
  return !!ctx.deps.stdin?.isTTY && !!ctx.deps.stderr.isTTY && !!ctx.deps.stdout.isTTY;
}

/** Asks a y/N question on stderr and reads one line from stdin; anything but y/yes is no. */
export async function ask(ctx: Context, question: string): Promise<boolean> {
  // Wrapped at the width; the answer goes after the last line.
  ctx.out.err(`${fitToWidth(`${question} [y/N]`, ctx.out.width)} `, true);
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
      ctx.out.err('\n', true);
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
function declined(command: string, data: Record<string, unknown>): CommandResult {
  return {
    command: 'keys',
    reason: 'failed',
    data: { action: command, ...data, sent: false },
    diagnoses: [],
    render: (o) => o.err(`${fitToWidth(`${o.style.symbols.skip} Not confirmed: nothing was changed.`, o.width)}\n`, true),
  };
}

// ── list and show ─────────────────────────────────────────────────────────────────────────

/** `keys` / `keys list`, with the --expiring-within guard. */
export async function listCommand(ctx: Context, opts: ListOptions): Promise<CommandResult> {
  if (opts.format !== undefined && !LIST_FORMATS.includes(opts.format as (typeof LIST_FORMATS)[number]))
    throw new UsageError(`--format: expected one of ${LIST_FORMATS.join(', ')}, got "${opts.format}"`);
  const within = opts.expiringWithin !== undefined ? parseCount(opts.expiringWithin, '--expiring-within', 3650) : undefined;
  const list = await fetchList(ctx);
  const now = Date.now();
  const mine = list.configured >= 0 ? [listView(list, list.configured, now)] : [];
  const warnings = configuredWarnings(ctx, mine);
  // An active key that expires within the window, or has expired while still listed active.
  const expiring: KeyView[] = [];
  let active = 0;
  for (let i = 0; i < list.length; i++) {
    if (!list.active(i)) continue;
    active++;
    if (within === undefined) continue;
    const { daysLeft } = listDays(list, i, now);
    if (daysLeft !== null && daysLeft <= within) expiring.push(listView(list, i, now));
  }
  const source = configuredSource(ctx);
  return {
    command: 'keys',
    reason: expiring.length > 0 ? 'failed' : 'ok',
    data: {
      action: 'list',
      // Made key by key as the document is written (a list of 100,000 keys is never one object tree).
      keys: new JsonArrayStream(
        list.length,
        (i) => listView(list, i, now),
        (i, indent) => listViewJson(list, i, now, indent),
      ),
      ...(within !== undefined ? { expiringWithin: within, expiring: expiring.map((k) => k.id) } : {}),
      warnings,
    },
    // One diagnosis a key, naming it and its days left, so that --json and CI annotations carry the why.
    diagnoses: expiring.map((k) =>
      expiringDiagnosis(
        { ...k, expiresAt: k.expiresAt },
        k.daysLeft ?? 0,
        k.configured ? `It is the proxy key apidoctor is configured with (${ctx.config.apiKey.source}).` : undefined,
      ),
    ),
    stepOutputs: { rootCause: expiring.length > 0 ? 'key.expiring' : '' },
    render: async (o) => {
      if (opts.format === 'github') return o.out(keysGithub(list.length, active, warnings, expiring, within));
      if (o.quiet) {
        if (within !== undefined) o.out(expiring.length ? `${expiring.map((k) => k.id).join(' ')}\n` : '');
        else {
          let text = '';
          for (let i = 0; i < list.length; i++) {
            const { expired } = listDays(list, i, now);
            text += `${list.id(i)}\t${list.prefix(i)}\t${expired ? 'expired' : list.active(i) ? 'active' : 'inactive'}${i === list.configured ? '\tconfigured' : ''}\n`;
            if (text.length > 256 * 1024) {
              o.out(text);
              text = '';
            }
          }
          o.out(text);
        }
      } else
        await writeKeyListTable(
          list,
          now,
          o.style,
          source,
          o.width,
          (t) => o.out(t),
          () => o.drained(),
        );
      for (const w of warnings) o.warn(w);
      if (within !== undefined) {
        const s = o.style;
        if (expiring.length === 0) {
          o.err(
            `${fitToWidth(`${s.ok(s.symbols.pass)} No active key expires within ${within} day${within === 1 ? '' : 's'}.`, o.width)}\n`,
          );
        } else {
          const lines = expiring.map((k) => {
            const when = k.expired ? `expired on ${day(k.expiresAt)}` : `expires on ${day(k.expiresAt)} (in ${daysLeftText(k.daysLeft!)})`;
            return `  ${keyLabel(k)}${k.configured ? ' [configured]' : ''} ${when} → apidoctor keys rotate ${k.id} --name <new name>`;
          });
          o.err(
            `${fitToWidth(`${s.fail(s.symbols.fail)} ${expiring.length} active key${expiring.length === 1 ? '' : 's'} expire${expiring.length === 1 ? 's' : ''} within ${within} day${within === 1 ? '' : 's'}:\n${lines.join('\n')}`, o.width)}\n`,
            true,
          );
        }
      }
    },
  };
}

/** `keys --format github`: a warning annotation per warning, an error per expiring key, one summary line. */
function keysGithub(total: number, active: number, warnings: string[], expiring: KeyView[], within: number | undefined): string {
  const title = 'apidoctor keys';
  let text = '';
  for (const w of warnings) text += annotation('warning', title, w);
  for (const k of expiring) {
    const when = k.expired ? `expired on ${day(k.expiresAt)}` : `expires on ${day(k.expiresAt)}`;
    text += annotation(
      'error',
      `${title}: ${keyLabel(k)}`,
      `${keyLabel(k)}${k.configured ? ' (the configured key)' : ''} ${when}, within ${within} days. Rotate it: apidoctor keys rotate ${k.id} --name <new name>`,
    );
  }
  const code = expiring.length > 0 ? 1 : 0;
  text += `apidoctor keys: ${total} proxy key${total === 1 ? '' : 's'}, ${active} active${within !== undefined ? `, ${expiring.length} expiring within ${within} days` : ''} — exit ${code} (${code ? 'failed' : 'ok'})\n`;
  return text;
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

/** `keys show <id|prefix>`. */
export async function showCommand(ctx: Context, ref: string): Promise<CommandResult> {
  // A whole key given as the reference must not be printed back.
  if (ref.trim().length > 16) redactor.add(ref);
  const keys = await fetchKeys(ctx);
  const k = findKey(keys, ref);
  const warnings = k.configured ? configuredWarnings(ctx, keys) : [];
  const source = configuredSource(ctx);
  return {
    command: 'keys',
    reason: 'ok',
    data: { action: 'show', key: k, warnings },
    diagnoses: [],
    render: (o) => {
      o.out(o.quiet ? `${k.id}\t${k.prefix}\t${k.status}\n` : keyDetails(k, source, o.width));
      for (const w of warnings) o.warn(w);
    },
  };
}

// ── changes ───────────────────────────────────────────────────────────────────────────────

const WARNINGS: Record<Verb, (id: number | string) => string> = {
  activate: () => '',
  deactivate: (id) => `Deactivating is reversible: requests with the key get 403 until you run apidoctor keys activate ${id}.`,
  delete: (id) =>
    `Deleting is irreversible: apps still using the key get 401 at once (to stop a key reversibly: apidoctor keys deactivate ${id}).`,
};

/** `keys activate|deactivate|delete <id>`: confirm, then PUT or DELETE. */
export async function changeCommand(ctx: Context, verb: Verb, rawId: string, opts: ChangeOptions): Promise<CommandResult> {
  const ref = keyRef(rawId);
  const ask1 = mustConfirm(ctx, opts.yes, `${verb} ${shellQuote(ref)}`, WARNINGS[verb](ref));
  const keys = await fetchKeys(ctx);
  const k = findKey(keys, ref);
  const id = k.id;
  const out = ctx.out;
  if ((verb === 'activate' && k.active) || (verb === 'deactivate' && !k.active)) {
    return {
      command: 'keys',
      reason: 'ok',
      data: { action: verb, key: k, sent: false, unchanged: true },
      diagnoses: [],
      render: (o) =>
        o.err(
          `${fitToWidth(`${o.style.symbols.skip} ${keyLabel(k)} is already ${k.active ? 'active' : 'inactive'}: nothing to do.`, o.width)}\n`,
        ),
    };
  }
  const mineNote = k.configured ? ` This is the proxy key apidoctor is configured with (${configuredSource(ctx)}).` : '';
  if (ask1) {
    const question = `${cap(verb)} key ${keyLabel(k)}?${mineNote} ${WARNINGS[verb](id)}`.replace(/\s+$/, '');
    if (!(await ask(ctx, question))) return declined(verb, { key: k });
  }

  // Said before the change, when no question carried it (--yes): afterwards it is too late to stop.
  if (mineNote && verb !== 'activate' && !ask1)
    out.warn(`${mineNote.trim()} apidoctor's own checks will fail with it once it is ${verb === 'delete' ? 'deleted' : 'deactivated'}.`);
  const path = `/api/keys/${id}`;
  const spin = out.spinner(`${verb === 'delete' ? 'DELETE' : 'PUT'} ${path}…`);
  const r =
    verb === 'delete'
      ? await ctx.api.json<unknown>('DELETE', path, SHAPES.anything)
      : await ctx.api.json<unknown>('PUT', path, SHAPES.anything, { body: JSON.stringify({ active: verb === 'activate' }) });
  spin.stop();
  if (!r.ok) fail(ctx, r.failure);

  const now = Date.now();
  const returned = verb === 'delete' ? [] : toKeyRecords({ keys: [r.data] });
  const after: KeyView | null =
    verb === 'delete'
      ? null
      : returned[0]
        ? keyView(returned[0], k.configured, now)
        : { ...k, active: verb === 'activate', status: k.expired ? 'expired' : verb === 'activate' ? 'active' : 'inactive' };
  const done: Record<Verb, string> = {
    activate: `Activated key ${keyLabel(k)}: requests with it are accepted again.`,
    deactivate: `Deactivated key ${keyLabel(k)}: requests with it now get 403. Undo: apidoctor keys activate ${id}`,
    delete: `Deleted key ${keyLabel(k)}: apps still using it get 401 from now on. This cannot be undone.`,
  };
  return {
    command: 'keys',
    reason: 'ok',
    data: { action: verb, key: after ?? k, sent: true, ...(verb === 'delete' ? { deleted: true } : {}) },
    diagnoses: [],
    render: (o) => {
      o.out(`${o.style.ok(o.style.symbols.pass)} ${done[verb]}\n`);
    },
  };
}

/** `--expires`: an ISO date or datetime, or "<n>d"; must be in the future. */
export function parseExpires(raw: string | undefined, nowMs: number): string | undefined {
  if (raw === undefined) return undefined;
  const rel = /^\s*(\d+)\s*d(ays?)?\s*$/i.exec(raw);
  const t = rel ? nowMs + Number(rel[1]) * DAY_MS : /^\d{4}-\d{2}-\d{2}/.test(raw.trim()) ? Date.parse(raw.trim()) : NaN;
  if (Number.isNaN(t))
    throw new UsageError(
      `--expires: expected an ISO date (2026-01-31 or 2026-01-31T12:00:00Z) or a number of days (90d), got ${JSON.stringify(raw)}`,
    );
  if (t <= nowMs) throw new UsageError(`--expires: ${new Date(t).toISOString()} is not in the future`);
  return new Date(t).toISOString();
}

/** What POST /api/keys returned: the new key, checked. */
interface Created {
  id: number | null;
  name: string;
  expiresAt: string | null;
  key: string;
  /** Set when the answer was not the documented {"id", "key"} but a key was found in it. */
  odd?: string;
}

const NEW_KEY = /^ms-[A-Za-z0-9_-]{8,}$/;

/**
 * The new key in a POST /api/keys answer: the documented `key` field, or else the first `ms-` key found
 * anywhere in a JSON answer of another shape ({"data": {"key": …}}, {"apiKey": …}), or quoted in a body
 * that is not JSON or was cut. Shown once, since it can never be shown again.
 */
export function findNewKey(body: string): { key: string; id: unknown; at: string } | undefined {
  let v: unknown;
  try {
    v = parseJson(body);
  } catch {
    const m = /"(ms-[A-Za-z0-9_-]{8,})"/.exec(body.slice(0, 64 * 1024));
    return m ? { key: m[1]!, id: /"id"\s*:\s*(\d+)/.exec(body.slice(0, 64 * 1024))?.[1], at: 'the body' } : undefined;
  }
  if (typeof (v as { key?: unknown })?.key === 'string')
    return { key: (v as { key: string }).key, id: (v as { id?: unknown }).id, at: 'key' };
  // Breadth first, bounded: a few levels of a small document.
  const queue: Array<[unknown, string]> = [[v, '']];
  for (let seen = 0; queue.length > 0 && seen < 2000; seen++) {
    const [node, at] = queue.shift()!;
    if (node === null || typeof node !== 'object' || at.split('.').length > 6) continue;
    for (const [k, x] of Object.entries(node as Record<string, unknown>)) {
      const here = at ? `${at}.${k}` : k;
      if (typeof x === 'string' && NEW_KEY.test(x.trim())) return { key: x, id: (node as { id?: unknown }).id, at: here };
      if (x !== null && typeof x === 'object') queue.push([x, here]);
    }
  }
  return undefined;
}

/** Failures that happen before the request reaches the server: nothing can have been created. */
const NOT_SENT = new Set(['network.dns', 'network.refused', 'network.unreachable', 'network.tls']);

/** Whether the server may have acted on a request that failed: it may have been received, and no definite refusal (a 4xx) came back. */
function mayHaveActed(f: Failure, diagnosisId: string): boolean {
  if (f.kind !== 'http') return !NOT_SENT.has(diagnosisId) && f.networkCode !== 'UND_ERR_CONNECT_TIMEOUT';
  const s = f.status;
  return s === undefined || s < 400 || s >= 500 || s === 408;
}

/**
 * A failed POST /api/keys, thrown. When the server may have created the key anyway, retrying blindly makes
 * a second key: the advice is to look first (apidoctor keys), and for rotate that the old key is unchanged.
 */
function failCreate(ctx: Context, f: Failure, name: string, retry: string, old?: KeyView): never {
  const d = diagnoseFailure(ctx.config, f, { role: 'billingKey' });
  if (!mayHaveActed(f, d.id)) throw new DiagnosedError(d);
  const unchanged = old ? [`The old key ${keyLabel(old)} is unchanged: nothing was deleted or deactivated.`] : [];
  throw new DiagnosedError({
    ...d,
    retryable: false,
    notes: [
      ...d.notes,
      `The request may have reached the server before the answer was lost: a key named "${name}" may already exist. Its full key was never shown and cannot be shown again.`,
      ...unchanged,
    ],
    remedies: [
      `Before trying again, check whether a key named "${name}" was created: apidoctor keys`,
      `If it is listed, delete it (its full key is lost): apidoctor keys delete <id>   then: ${retry}`,
      `If it is not listed: ${retry}`,
      ...d.remedies.filter((r) => !/\bretry|\btry again/i.test(r)),
    ],
  });
}

/** POST /api/keys; the new key is registered as a secret and armed for one unmasked print. */
async function postKey(ctx: Context, name: string, expiresAt: string | undefined, retry: string, old?: KeyView): Promise<Created> {
  const path = '/api/keys';
  const spin = ctx.out.spinner(`POST ${path}…`);
  const check = (v: unknown) =>
    typeof (v as { key?: unknown })?.key === 'string' ? undefined : 'the new key ({"id": <number>, "key": "ms-…"})';
  const out = await ctx.api.request('POST', path, { body: JSON.stringify({ name, ...(expiresAt ? { expires_at: expiresAt } : {}) }) });
  spin.stop();
  // A success, or an answer cut in the middle of one: the key may be in it, and it is shown only now.
  const body = out.ok ? out.body : out.failure.kind === 'network' && out.failure.body ? out.failure.body : undefined;
  const found = body !== undefined ? findNewKey(body) : undefined;
  if (!found) {
    if (!out.ok) failCreate(ctx, out.failure, name, retry, old);
    const parsed = parseJsonSuccess<unknown>(out, 'POST', ctx.api.url(path), check);
    failCreate(
      ctx,
      parsed.ok
        ? {
            kind: 'http',
            status: out.status,
            headers: out.headers,
            body: out.body,
            attempts: out.attempts,
            method: 'POST',
            endpoint: path,
            unexpectedBody: 'bad-shape',
            expected: 'the new key',
          }
        : parsed.failure,
      name,
      retry,
      old,
    );
  }
  const key = found.key.trim();
  redactor.add(key);
  const configured = [ctx.config.apiKey.value, ctx.config.billingKey.value].some((c) => c !== undefined && c.trim() === key);
  if (!configured && key.length >= 8) ctx.out.revealOnce(key);
  const id = typeof found.id === 'number' || (typeof found.id === 'string' && /^\d+$/.test(found.id)) ? Number(found.id) : null;
  const odd =
    found.at === 'key' && out.ok
      ? undefined
      : `The answer to POST /api/keys was not the documented {"id", "key"}${out.ok ? '' : ' (it was cut off)'}; the new key was found in it (${found.at}). Check it: apidoctor keys`;
  return { id, name, expiresAt: expiresAt ?? null, key, odd };
}

const ONCE =
  "This is the only time the full key is shown: store it now (a secret manager, or your app's environment). It cannot be shown again; if it is lost, delete it and create another.";

/** A word as the shell reads it back: quoted when it holds anything but safe characters. */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function createdLabel(c: Created): string {
  return c.id !== null ? keyLabel({ id: c.id, name: c.name }) : `"${c.name}"`;
}

/** `keys create --name <n> [--expires <date>]`. */
export async function createCommand(ctx: Context, opts: CreateOptions): Promise<CommandResult> {
  const name = opts.name.trim();
  if (!name) throw new UsageError('--name must not be empty', 'Name the app or environment that will use the key: --name "CI"');
  const expiresAt = parseExpires(opts.expires, Date.now());
  const ask1 = mustConfirm(ctx, opts.yes, changeLine(['create', ['--name', opts.name], ['--expires', opts.expires]]), '');
  refuseEarly(ctx, 'POST', '/api/keys');
  if (ask1 && !(await ask(ctx, `Create a proxy key "${name}"${expiresAt ? ` that expires on ${expiresAt}` : ' with no expiry'}?`)))
    return declined('create', { name });
  const c = await postKey(
    ctx,
    name,
    expiresAt,
    `apidoctor keys create --name ${shellWord(name)}${opts.expires ? ` --expires ${shellWord(opts.expires)}` : ''}`,
  );
  return {
    command: 'keys',
    reason: 'ok',
    data: {
      action: 'create',
      created: { id: c.id, name: c.name, expiresAt: c.expiresAt, key: c.key },
      warning: ONCE,
      ...(c.odd ? { note: c.odd } : {}),
    },
    diagnoses: [],
    render: (o) => {
      o.out(`${c.key}\n`);
      const s = o.style;
      o.err(
        `${fitToWidth(`${s.ok(s.symbols.pass)} Created proxy key ${createdLabel(c)}${c.expiresAt ? `, expires on ${c.expiresAt}` : ', no expiry'}.`, o.width)}\n`,
      );
      o.err(`${fitToWidth(`${s.warn(s.symbols.warn)} ${ONCE}`, o.width)}\n`, true);
      if (c.odd) o.warn(c.odd);
    },
  };
}

/** `keys rotate <id> --name <n>`: the new key first; the old one is left for the user to delete. */
export async function rotateCommand(ctx: Context, rawId: string, opts: CreateOptions): Promise<CommandResult> {
  const ref = keyRef(rawId);
  const name = opts.name.trim();
  if (!name) throw new UsageError('--name must not be empty', 'Name the new key: --name "Production 2"');
  const expiresAt = parseExpires(opts.expires, Date.now());
  const ask1 = mustConfirm(
    ctx,
    opts.yes,
    changeLine(['rotate', shellQuote(ref), ['--name', opts.name], ['--expires', opts.expires]]),
    'Rotation creates a new key; it deletes nothing.',
  );
  const keys = await fetchKeys(ctx);
  const old = findKey(keys, ref);
  if (ask1 && !(await ask(ctx, `Create a proxy key "${name}" to replace ${keyLabel(old)}? The old key keeps working until you delete it.`)))
    return declined('rotate', { from: old });
  const c = await postKey(
    ctx,
    name,
    expiresAt,
    `apidoctor keys rotate ${old.id} --name ${shellWord(name)}${opts.expires ? ` --expires ${shellWord(opts.expires)}` : ''}`,
    old,
  );
  const next = [
    `Switch your app to the new key${old.configured ? ` (apidoctor reads it from ${ctx.config.apiKey.source})` : ''}; both keys work now, so there is no downtime.`,
    'Check that the app works with it: apidoctor doctor',
    `Then delete the old key: apidoctor keys delete ${old.id}`,
  ];
  return {
    command: 'keys',
    reason: 'ok',
    data: {
      action: 'rotate',
      from: old,
      created: { id: c.id, name: c.name, expiresAt: c.expiresAt, key: c.key },
      warning: ONCE,
      next,
      deleted: false,
      ...(c.odd ? { note: c.odd } : {}),
    },
    diagnoses: [],
    render: (o: Output) => {
      o.out(`${c.key}\n`);
      const s = o.style;
      o.err(`${fitToWidth(`${s.ok(s.symbols.pass)} Created proxy key ${createdLabel(c)} to replace ${keyLabel(old)}.`, o.width)}\n`);
      o.err(`${fitToWidth(`${s.warn(s.symbols.warn)} ${ONCE}`, o.width)}\n`, true);
      if (c.odd) o.warn(c.odd);
      o.err(
        `${fitToWidth(`Next:\n${next.map((n, i) => `  ${i + 1}. ${n}`).join('\n')}\nNothing was deleted: ${keyLabel(old)}${old.status === 'active' ? ' keeps working until you delete it' : ` stays on the account (${old.status})`}.`, o.width)}\n`,
      );
    },
  };
}
