import type { KeyRecord } from '../api/account.js';
import type { KeyList } from '../api/key-list.js';
import { daysUntil } from '../api/account.js';
import { oneLine } from './sanitize.js';
import { displayWidth, labelled, sliceColumns } from './layout.js';
import { DAY_MS } from '../core/format.js';

/** A key as `keys` shows it: the API's record plus what apidoctor works out. */
export interface KeyView {
  id: number;
  name: string | null;
  prefix: string;
  active: boolean;
  createdAt: string | null;
  expiresAt: string | null;
  /** Days until expiry, one decimal (negative once past); null without an expiry. */
  daysLeft: number | null;
  expired: boolean;
  /** active | inactive | expired (an expired key is refused whatever `active` says). */
  status: 'active' | 'inactive' | 'expired';
  /** This is the proxy key apidoctor is configured with (matched by prefix). */
  configured: boolean;
}

/** Builds the view of a record. */
export function keyView(r: KeyRecord, configured: boolean, nowMs: number): KeyView {
  const days = daysUntil(r.expiresAt, nowMs);
  const expired = days !== undefined && days <= 0;
  return {
    id: r.id,
    name: r.name ?? null,
    prefix: r.prefix,
    active: r.active,
    createdAt: r.createdAt ?? null,
    expiresAt: r.expiresAt ?? null,
    daysLeft: days === undefined ? null : Math.round(days * 10) / 10,
    expired,
    status: expired ? 'expired' : r.active ? 'active' : 'inactive',
    configured,
  };
}

const ISO_UTC = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?Z)?$/;

/** "2025-01-31" from an ISO date; the raw text when it does not parse. */
export function day(iso: string | null): string {
  if (!iso) return '-';
  // The common case, a UTC timestamp ("2026-01-31T12:00:00.000Z") or a bare date: its first 10 characters,
  // without a Date per cell (a table of 100,000 keys has 200,000 of them).
  if (ISO_UTC.test(iso)) return iso.slice(0, 10);
  const t = Date.parse(iso);
  return Number.isNaN(t) ? oneLine(iso) : new Date(t).toISOString().slice(0, 10);
}

/** Days left for the table: "30", "<1", "expired", "-". */
export function daysText(k: KeyView): string {
  if (k.daysLeft === null) return '-';
  if (k.expired) return 'expired';
  if (k.daysLeft < 1) return '<1';
  return String(Math.round(k.daysLeft));
}

/** "#1 "Production" (ms-abc1xxxx)". */
export function keyLabel(k: { id: number; name?: string | null; prefix?: string }): string {
  return `#${k.id}${k.name ? ` "${oneLine(k.name)}"` : ''}${k.prefix ? ` (${oneLine(k.prefix)})` : ''}`;
}

/** `s` in at most `n` columns, cut with "…" when it is wider. */
export function clip(s: string, n: number): string {
  return displayWidth(s) > n ? sliceColumns(s, n - 1) + '…' : s;
}

/** Days left (one decimal) and expiry of row i, as keyView works them out. */
export function listDays(list: KeyList, i: number, nowMs: number): { daysLeft: number | null; expired: boolean } {
  const t = list.expiresMs(i);
  if (Number.isNaN(t)) return { daysLeft: null, expired: false };
  const days = (t - nowMs) / DAY_MS;
  return { daysLeft: Math.round(days * 10) / 10, expired: days <= 0 };
}

export function listStatus(list: KeyList, i: number, expired: boolean): KeyView['status'] {
  return expired ? 'expired' : list.active(i) ? 'active' : 'inactive';
}

/** Row i's cells, from the columns: no view, no Date. */
export function listCells(list: KeyList, i: number, nowMs: number): string[] {
  const { daysLeft, expired } = listDays(list, i, nowMs);
  const status = listStatus(list, i, expired);
  const name = list.name(i);
  const prefix = list.prefix(i);
  return [
    i === list.configured ? '*' : '',
    String(list.id(i)),
    clip(oneLine(name ?? '-'), 32),
    oneLine(prefix || '-'),
    status === 'active' ? 'active' : status.toUpperCase(),
    list.createdDay(i) ?? day(list.createdAt(i)),
    list.expiresDay(i) ?? (list.expiresAt(i) ? day(list.expiresAt(i)) : 'never'),
    daysLeft === null ? '-' : expired ? 'expired' : daysLeft < 1 ? '<1' : String(Math.round(daysLeft)),
  ];
}

/** Row i's view as JSON.stringify(view, null, 2) writes it, lines after the first indented by `indent`: no view, no Date. */
export function listViewJson(list: KeyList, i: number, nowMs: number, indent: string): string {
  const { daysLeft, expired } = listDays(list, i, nowMs);
  const id = list.id(i);
  const name = list.name(i);
  const created = list.createdAt(i);
  const expires = list.expiresAt(i);
  const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
  const f = `\n${indent}  `;
  return (
    `{${f}"id": ${Number.isFinite(id) ? String(id) : 'null'},${f}"name": ${str(name ?? null)},${f}"prefix": ${JSON.stringify(list.prefix(i))},` +
    `${f}"active": ${list.active(i)},${f}"createdAt": ${str(created)},${f}"expiresAt": ${str(expires)},${f}"daysLeft": ${daysLeft === null ? 'null' : String(daysLeft)},` +
    `${f}"expired": ${expired},${f}"status": "${listStatus(list, i, expired)}",${f}"configured": ${i === list.configured}\n${indent}}`
  );
}

/** Row i as a view (for JSON and the few rows looked at one by one). */
export function listView(list: KeyList, i: number, nowMs: number): KeyView {
  return keyView(list.record(i), i === list.configured, nowMs);
}

/** One key, field by field, for `keys show`. */
export function keyDetails(k: KeyView, configuredSource?: string, width = Infinity): string {
  const rows: Array<[string, string]> = [
    ['id', String(k.id)],
    ['name', oneLine(k.name ?? '-')],
    ['prefix', oneLine(k.prefix || '-')],
    [
      'status',
      k.status === 'active'
        ? 'active'
        : k.status === 'inactive'
          ? 'INACTIVE (requests with it get 403)'
          : 'EXPIRED (requests with it are refused)',
    ],
    ['created', oneLine(k.createdAt ?? '-')],
    ['expires', oneLine(k.expiresAt ?? 'never')],
    ['days left', daysText(k)],
    ['configured', k.configured ? `yes: apidoctor uses this key${configuredSource ? ` (${configuredSource})` : ''}` : 'no'],
  ];
  return rows.map(([a, b]) => labelled(a.padEnd(11), b, width)).join('\n') + '\n';
}
