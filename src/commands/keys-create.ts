/** `keys create` and `keys rotate`: POST /api/keys, the new key shown once; a lost answer told apart from a refusal. */
import { whileInterruptible, type CommandResult, type Context } from './context.js';
import type { Failure } from '../core/types.js';
import { DiagnosedError, UsageError } from '../core/errors.js';
import { parseJsonSuccess } from '../api/api.js';
import { diagnoseFailure } from '../api/diagnose-failure.js';
import { toFailure } from '../http/failure.js';
import { redactor } from '../core/redact.js';
import { keyLabel, type KeyView } from '../render/keys.js';
import { KEY_CHANGE_REPORTERS, type Created } from '../render/keys-report.js';
import { show } from '../render/reporter.js';
import { parseJson } from '../core/json-depth.js';
import { ask, changeLine, declined, fetchKeys, findKey, keyRef, mustConfirm, refuseEarly, shellQuote } from './keys-shared.js';
import type { ChangeOptions } from './keys-change.js';
import { DAY_MS } from '../core/format.js';

export interface CreateOptions extends ChangeOptions {
  name: string;
  expires?: string;
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
  // Ctrl-C while the POST is out: the server may create the key all the same, and its full key is then lost.
  const unchanged = old ? ` The old key ${keyLabel(old)} is unchanged.` : '';
  const out = await whileInterruptible(
    ctx,
    `The request may have reached the server: a key named "${name}" may exist now, its full key never shown.${unchanged} Look before trying again: apidoctor keys`,
    () => ctx.api.request('POST', path, { body: JSON.stringify({ name, ...(expiresAt ? { expires_at: expiresAt } : {}) }) }),
  );
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
        ? toFailure(
            {
              kind: 'http',
              status: out.status,
              headers: out.headers,
              body: out.body,
              attempts: out.attempts,
              method: 'POST',
              endpoint: path,
            },
            { unexpectedBody: 'bad-shape', expected: 'the new key' },
          )
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
    `apidoctor keys create --name ${shellQuote(name)}${opts.expires ? ` --expires ${shellQuote(opts.expires)}` : ''}`,
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
    shown: show(KEY_CHANGE_REPORTERS, 'text', { kind: 'created', created: c, once: ONCE }),
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
    `apidoctor keys rotate ${old.id} --name ${shellQuote(name)}${opts.expires ? ` --expires ${shellQuote(opts.expires)}` : ''}`,
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
    shown: show(KEY_CHANGE_REPORTERS, 'text', { kind: 'created', created: c, once: ONCE, old, next }),
  };
}
