/** `keys activate|deactivate|delete <id|prefix>`: confirm, then PUT or DELETE /api/keys/<id>. */
import type { CommandResult, Context } from './context.js';
import { SHAPES } from '../api/api.js';
import { toKeyRecords } from '../api/account.js';
import { keyLabel, keyView, type KeyView } from '../render/keys.js';
import { KEY_CHANGE_REPORTERS } from '../render/keys-report.js';
import { show } from '../render/reporter.js';
import { ask, cap, configuredSource, declined, fail, fetchKeys, findKey, keyRef, mustConfirm, shellQuote } from './keys-shared.js';

export type Verb = 'activate' | 'deactivate' | 'delete';

export interface ChangeOptions {
  yes?: boolean;
}

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
      shown: show(KEY_CHANGE_REPORTERS, 'text', { kind: 'unchanged', key: k }),
    };
  }
  const mineNote = k.configured ? ` This is the proxy key apidoctor is configured with (${configuredSource(ctx)}).` : '';
  if (ask1) {
    const question = `${cap(verb)} key ${keyLabel(k)}?${mineNote} ${WARNINGS[verb](id)}`.replace(/\s+$/, '');
    if (!(await ask(ctx, question))) return declined(verb, { key: k });
  }

  // Said before the change, when no question carried it (--yes): afterwards it is too late to stop.
  if (mineNote && verb !== 'activate' && !ask1)
    out.progress(
      `${out.style.warn(out.style.symbols.warn)} ${mineNote.trim()} apidoctor's own checks will fail with it once it is ${verb === 'delete' ? 'deleted' : 'deactivated'}.\n`,
    );
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
    shown: show(KEY_CHANGE_REPORTERS, 'text', { kind: 'changed', done: done[verb] }),
  };
}
