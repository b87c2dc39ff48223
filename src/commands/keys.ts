import type { Command } from 'commander';
import type { CommandResult, Context, Register, Runner } from './context.js';
import { withOptions } from './register.js';
import { COMMANDS } from '../config/options.js';
import { UsageError } from '../core/errors.js';
import { parseCount, type SettingName } from '../config/settings.js';
import { expiringDiagnosis } from '../api/account.js';
import { redactor } from '../core/redact.js';
import { listDays, listView, listViewJson, type KeyView } from '../render/keys.js';
import { KEY_LIST_REPORTERS, KEY_SHOW_REPORTERS } from '../render/keys-report.js';
import { show } from '../render/reporter.js';
import { JsonArrayStream } from '../render/output.js';
import { configuredSource, configuredWarnings, fetchKeys, fetchList, findKey } from './keys-shared.js';
import { changeCommand, type ChangeOptions, type Verb } from './keys-change.js';
import { createCommand, rotateCommand, type CreateOptions } from './keys-create.js';

// `apidoctor keys`: the subcommands' registration, and `list` and `show`. The changes are in keys-change.ts
// (activate, deactivate, delete) and keys-create.ts (create, rotate); their shared steps in keys-shared.ts.

const NEEDS: readonly SettingName[] = ['apiKey', 'billingKey', 'baseUrl', 'timeout'];

interface ListOptions {
  expiringWithin?: string;
  format?: string;
}
const LIST_FORMATS = ['text', 'json', 'github'] as const;

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

function changeVerb(keys: Command, run: Runner, verb: Verb, description: string): void {
  withOptions(
    keys
      .command(verb)
      .description(description)
      .argument('<id|prefix>', 'numeric key id, or the key prefix (ms-abc1…) (see apidoctor keys)'),
    'keys change',
  ).action(async (id: string, opts: ChangeOptions, cmd: Command) => run('keys', cmd, NEEDS, (ctx) => changeCommand(ctx, verb, id, opts)));
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
    shown: show(KEY_LIST_REPORTERS, opts.format ?? 'text', {
      list,
      nowMs: now,
      source,
      warnings,
      active,
      within,
      expiring,
    }),
  };
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
    shown: show(KEY_SHOW_REPORTERS, 'text', { key: k, source, warnings }),
  };
}
