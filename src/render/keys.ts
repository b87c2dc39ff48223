import type { KeyRecord } from '../api/account.js';
import { daysUntil } from '../api/account.js';
import type { Style } from './style.js';
import { oneLine } from './sanitize.js';

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

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/**
 * The key table. Status is a word (active / INACTIVE / EXPIRED), so it reads without colour;
 * the configured key is marked with `*` and a legend names where it came from.
 */
export function keysTable(keys: KeyView[], s: Style, configuredSource?: string): string {
  if (keys.length === 0) return 'No proxy keys on this account. Create one: apidoctor keys create --name <name>\n';
  const head = ['', 'ID', 'NAME', 'PREFIX', 'STATUS', 'CREATED', 'EXPIRES', 'DAYS LEFT'];
  // Two passes over the keys, the cells made again in the second, rather than a table of 8 strings per
  // key kept between them: with 100,000 keys, keeping them costs more in garbage collection than making them twice.
  // Widths by a loop: Math.max(...rows) passes every row as an argument and overflows the stack past ~100,000 keys.
  const widths = head.map((h) => h.length);
  for (const k of keys) {
    const c = cells(k);
    for (let i = 0; i < 7; i++) if (c[i]!.length > widths[i]!) widths[i] = c[i]!.length;
  }
  const last = head.length - 1;
  const line = (c: readonly string[], paint?: (i: number, text: string) => string) => {
    let out = '';
    for (let i = 0; i <= last; i++) {
      const padded = i === last ? c[i]! : c[i]!.padEnd(widths[i]!);
      out += (i ? '  ' : '') + (paint ? paint(i, padded) : padded);
    }
    return out.trimEnd();
  };
  let out = s.bold(line(head)) + '\n';
  // Painting is identity without colour: skip it then (most large tables go to a file or a pipe).
  const plain = s.ok('x') === 'x';
  for (const k of keys) {
    out +=
      (plain
        ? line(cells(k))
        : line(cells(k), (i, text) => {
            if (i === 4) return k.status === 'active' ? s.ok(text) : s.fail(text);
            if (i === 7 && !k.expired && k.daysLeft !== null && k.daysLeft <= 7) return s.warn(text);
            if (i === 0 && k.configured) return s.bold(text);
            return text;
          })) + '\n';
  }
  if (keys.some((k) => k.configured)) out += s.dim(`* = the proxy key apidoctor is configured with${configuredSource ? ` (${configuredSource})` : ''}`) + '\n';
  return out;
}

/** A key's cells in the table, in column order. */
function cells(k: KeyView): string[] {
  return [
    k.configured ? '*' : '',
    String(k.id),
    // Server text, one line each: a line break in a name must not forge a row.
    clip(oneLine(k.name ?? '-'), 32),
    oneLine(k.prefix || '-'),
    k.status === 'active' ? 'active' : k.status.toUpperCase(),
    day(k.createdAt),
    k.expiresAt ? day(k.expiresAt) : 'never',
    daysText(k),
  ];
}

/** One key, field by field, for `keys show`. */
export function keyDetails(k: KeyView, configuredSource?: string): string {
  const rows: Array<[string, string]> = [
    ['id', String(k.id)],
    ['name', oneLine(k.name ?? '-')],
    ['prefix', oneLine(k.prefix || '-')],
    ['status', k.status === 'active' ? 'active' : k.status === 'inactive' ? 'INACTIVE (requests with it get 403)' : 'EXPIRED (requests with it are refused)'],
    ['created', oneLine(k.createdAt ?? '-')],
    ['expires', oneLine(k.expiresAt ?? 'never')],
    ['days left', daysText(k)],
    ['configured', k.configured ? `yes: apidoctor uses this key${configuredSource ? ` (${configuredSource})` : ''}` : 'no'],
  ];
  return rows.map(([a, b]) => `${a.padEnd(11)}${b}`).join('\n') + '\n';
}
