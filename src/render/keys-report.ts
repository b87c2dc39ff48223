import type { KeyList } from '../api/key-list.js';
import { daysLeftText } from '../api/account.js';
import { annotation } from './github.js';
import { day, keyDetails, keyLabel, listDays, type KeyView } from './keys.js';
import { writeKeyListTable } from './keys-table.js';
import { report, stdoutReporter, type ReportBuilder, type Reporters } from './reporter.js';

/** What `keys` / `keys list` found, as its reporters read it. */
export interface KeyListView {
  list: KeyList;
  nowMs: number;
  /** Where the configured proxy key came from, for the legend. */
  source?: string;
  warnings: string[];
  /** Active keys, for the github summary line. */
  active: number;
  /** --expiring-within, and the active keys that expire within it. */
  within?: number;
  expiring: KeyView[];
}

/** `keys list`'s reporters by --format (json is main()'s document). */
export const KEY_LIST_REPORTERS: Reporters<KeyListView> = {
  text: (v, env) => report(env, (o) => keysText(o, v)),
  github: stdoutReporter(keysGithub),
};

/** The table (or, with -q, a line a key or the expiring ids), the warnings, and the --expiring-within verdict. */
function keysText(o: ReportBuilder, v: KeyListView): void {
  const { list, nowMs: now, within, expiring } = v;
  if (o.quiet) {
    if (within !== undefined) o.out(expiring.length ? `${expiring.map((k) => k.id).join(' ')}\n` : '');
    else {
      // A line a key, written in pieces of 64 KiB as the reader takes them, each made in one reused buffer from
      // the list's bytes (as the table is): a million keys' lines kept as one report were 40 MB of text, and
      // `keys -q` into a pipe peaked at 391 MiB; built as a string per key, still at 165 MiB on Node 24.
      o.outStream(async (write, pause) => {
        let buf = Buffer.allocUnsafe(64 * 1024);
        let at = 0;
        const ascii = (text: string) => {
          for (let j = 0; j < text.length; j++) buf[at++] = text.charCodeAt(j);
        };
        for (let i = 0; i < list.length; i++) {
          if (at > buf.length - 1024) {
            write(buf.toString('utf8', 0, at));
            at = 0;
            const wait = pause();
            if (wait) await wait;
          }
          const { expired } = listDays(list, i, now);
          const status = expired ? 'expired' : list.active(i) ? 'active' : 'inactive';
          const configured = i === list.configured ? '\tconfigured' : '';
          const id = list.id(i);
          const to = list.prefixTo(i);
          if (list.plainText(i) && Number.isSafeInteger(id) && to - list.nameTo(i) < 512) {
            ascii(String(id));
            buf[at++] = 9;
            const b = list.bytes(i);
            for (let j = list.nameTo(i); j < to; j++) buf[at++] = b[j]!;
            buf[at++] = 9;
            ascii(status);
            ascii(configured);
            buf[at++] = 10;
          } else {
            // A prefix kept as a string, or not ASCII: as text (the room for it made first).
            const line = `${id}\t${list.prefix(i)}\t${status}${configured}\n`;
            if (at + 3 * line.length > buf.length) {
              if (at > 0) write(buf.toString('utf8', 0, at));
              at = 0;
              if (3 * line.length > buf.length) buf = Buffer.allocUnsafe(3 * line.length);
            }
            at += buf.write(line, at, 'utf8');
          }
        }
        if (at > 0) write(buf.toString('utf8', 0, at));
      });
    }
  } else {
    const { style, width } = o;
    o.outStream((write, pause) => writeKeyListTable(list, now, style, v.source, width, write, pause));
  }
  for (const w of v.warnings) o.warn(w);
  if (within === undefined) return;
  const s = o.style;
  if (expiring.length === 0) {
    o.err(`${s.ok(s.symbols.pass)} No active key expires within ${within} day${within === 1 ? '' : 's'}.\n`);
    return;
  }
  const lines = expiring.map((k) => {
    const when = k.expired ? `expired on ${day(k.expiresAt)}` : `expires on ${day(k.expiresAt)} (in ${daysLeftText(k.daysLeft!)})`;
    return `  ${keyLabel(k)}${k.configured ? ' [configured]' : ''} ${when} → apidoctor keys rotate ${k.id} --name <new name>`;
  });
  o.err(
    `${s.fail(s.symbols.fail)} ${expiring.length} active key${expiring.length === 1 ? '' : 's'} expire${expiring.length === 1 ? 's' : ''} within ${within} day${within === 1 ? '' : 's'}:\n${lines.join('\n')}\n`,
    true,
  );
}

/** `keys --format github`: a warning annotation per warning, an error per expiring key, one summary line. */
function keysGithub(v: KeyListView): string {
  const { warnings, expiring, within, active } = v;
  const total = v.list.length;
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

/** What `keys show` found. */
export interface KeyShowView {
  key: KeyView;
  source?: string;
  warnings: string[];
}

/** `keys show`: the key field by field (with -q, one line), then the warnings. */
export const KEY_SHOW_REPORTERS: Reporters<KeyShowView> = {
  text: (v, env) =>
    report(env, (o) => {
      const k = v.key;
      o.out(o.quiet ? `${k.id}\t${k.prefix}\t${k.status}\n` : keyDetails(k, v.source, o.width));
      for (const w of v.warnings) o.warn(w);
    }),
};

/** What POST /api/keys returned: the new key, checked. */
export interface Created {
  id: number | null;
  name: string;
  expiresAt: string | null;
  key: string;
  /** Set when the answer was not the documented {"id", "key"} but a key was found in it. */
  odd?: string;
}

/** What a change did (or did not do). */
export type KeyChangeView =
  | { kind: 'declined' }
  | { kind: 'unchanged'; key: KeyView }
  /** activate, deactivate, delete: what was done, in a sentence. */
  | { kind: 'changed'; done: string }
  /** create, and rotate (with the old key and the next steps). */
  | { kind: 'created'; created: Created; once: string; old?: KeyView; next?: string[] };

function createdLabel(c: Created): string {
  return c.id !== null ? keyLabel({ id: c.id, name: c.name }) : `"${c.name}"`;
}

/** The changes' reporter: the new key alone on stdout (create, rotate), what happened on stderr. */
export const KEY_CHANGE_REPORTERS: Reporters<KeyChangeView> = {
  text: (v, env) =>
    report(env, (o) => {
      const s = o.style;
      if (v.kind === 'declined') return o.err(`${s.symbols.skip} Not confirmed: nothing was changed.\n`, true);
      if (v.kind === 'unchanged') {
        const k = v.key;
        return o.err(`${s.symbols.skip} ${keyLabel(k)} is already ${k.active ? 'active' : 'inactive'}: nothing to do.\n`);
      }
      if (v.kind === 'changed') return o.out(`${s.ok(s.symbols.pass)} ${v.done}\n`);
      const { created: c, old } = v;
      o.out(`${c.key}\n`);
      const what = old ? ` to replace ${keyLabel(old)}.` : `${c.expiresAt ? `, expires on ${c.expiresAt}` : ', no expiry'}.`;
      o.err(`${s.ok(s.symbols.pass)} Created proxy key ${createdLabel(c)}${what}\n`);
      o.err(`${s.warn(s.symbols.warn)} ${v.once}\n`, true);
      if (c.odd) o.warn(c.odd);
      if (old && v.next)
        o.err(
          `Next:\n${v.next.map((n, i) => `  ${i + 1}. ${n}`).join('\n')}\nNothing was deleted: ${keyLabel(old)}${old.status === 'active' ? ' keeps working until you delete it' : ` stays on the account (${old.status})`}.\n`,
        );
    }),
};
