import type { Diagnosis, FollowUpEvidence } from '../core/types.js';
import { diagnoseById } from '../diagnosis/engine.js';
import { keyUsable } from '../config/key-check.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { Api, SHAPES } from './api.js';

/** A proxy key as GET /api/keys lists it. */
export interface KeyRecord {
  id: number;
  name?: string;
  prefix: string;
  active: boolean;
  createdAt?: string;
  expiresAt?: string;
}

/** Normalises a key list defensively: unknown fields ignored, missing ones left out. */
export function toKeyRecords(data: unknown): KeyRecord[] {
  const keys = (data as { keys?: unknown[] })?.keys ?? [];
  return keys.flatMap((k) => {
    const r = k as Record<string, unknown>;
    if (!r || (typeof r.id !== 'number' && typeof r.id !== 'string')) return [];
    const expires = r.expiresAt ?? r.expires_at;
    const created = r.createdAt ?? r.created_at;
    return [
      {
        id: Number(r.id),
        name: typeof r.name === 'string' ? r.name : undefined,
        prefix: typeof r.prefix === 'string' ? r.prefix : '',
        active: !saysInactive(r.active),
        createdAt: typeof created === 'string' ? created : undefined,
        expiresAt: typeof expires === 'string' ? expires : undefined,
      },
    ];
  });
}

/**
 * Finds the record of a key by its prefix. The documented prefixes differ in length
 * ("ms-abc1xxxx", "ms-abc1"), so an exact prefix wins, then one with its padding (x, *, …) removed.
 */
export function matchKeyRecord(records: KeyRecord[], key: string | undefined): KeyRecord | null {
  if (!key) return null;
  const k = key.trim();
  const exact = records.filter((r) => r.prefix.length >= 5 && k.startsWith(r.prefix)).sort((a, b) => b.prefix.length - a.prefix.length);
  if (exact[0]) return exact[0];
  const loose = records
    .map((r) => ({ r, p: r.prefix.replace(/[x*…\u2026.]+$/i, '') }))
    .filter(({ p }) => p.length >= 5 && k.startsWith(p))
    .sort((a, b) => b.p.length - a.p.length);
  return loose[0]?.r ?? null;
}

/** Days from now until an ISO date (negative when past); undefined without a readable date. */
export function daysUntil(iso: string | undefined, nowMs = Date.now()): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  return (t - nowMs) / 86_400_000;
}

/** Days left as people read them, the one count doctor and keys both show: "less than a day", "1 day", "3 days" (whole days, rounded). */
export function daysLeftText(days: number): string {
  const d = Math.round(days * 10) / 10; // as keys shows daysLeft, so that both round the same number
  if (d < 1) return 'less than a day';
  const n = Math.round(d);
  return `${n} day${n === 1 ? '' : 's'}`;
}

/** key.expiring for one key: which key, and its days left. */
export function expiringDiagnosis(
  k: { id: number; name?: string | null; prefix?: string; expiresAt?: string | null },
  days: number,
  configuredNote?: string,
): Diagnosis {
  const label = `#${k.id}${k.name ? ` "${k.name}"` : ''}${k.prefix ? ` (${k.prefix})` : ''}`;
  const when =
    days <= 0 ? `expired on ${k.expiresAt ?? '?'} but is still listed active` : `expires in ${daysLeftText(days)} (${k.expiresAt ?? '?'})`;
  return diagnoseById(
    'key.expiring',
    { keyActive: true, method: 'GET', endpoint: '/api/keys' },
    [`The proxy key ${label} ${when}.${configuredNote ? ` ${configuredNote}` : ''}`],
    {
      followUp: { keyRecord: { id: k.id, prefix: k.prefix ?? '', active: true, expiresAt: k.expiresAt ?? undefined } },
    },
  );
}

/** A key record as follow-up evidence carries it (what diagnose() reads about the refused key). */
export function followUpRecord(rec: KeyRecord | null): FollowUpEvidence['keyRecord'] {
  return rec ? { id: rec.id, name: rec.name, prefix: rec.prefix, active: rec.active, expiresAt: rec.expiresAt } : null;
}

/**
 * The 402/403 follow-up: asks GET /api/balance and GET /api/keys together (billing key) and
 * returns what they say about the proxy key that was refused.
 */
export async function followUp(api: Api, usedKey: string | undefined): Promise<FollowUpEvidence> {
  const [bal, keys] = await Promise.all([
    api.json<{ balance: number }>('GET', '/api/balance', SHAPES.balance),
    api.json<unknown>('GET', '/api/keys', SHAPES.keys),
  ]);
  const ev: FollowUpEvidence = {};
  if (bal.ok) ev.balance = bal.data.balance;
  else ev.balanceError = describeFailure(bal.failure);
  if (keys.ok) {
    const rec = matchKeyRecord(toKeyRecords(keys.data), usedKey);
    ev.keyRecord = followUpRecord(rec);
  } else ev.keysError = describeFailure(keys.failure);
  return ev;
}

/** A billing key is configured and well formed (it can be sent). */
export function billingKeyUsable(config: ResolvedConfig): boolean {
  return keyUsable('billingKey', config);
}

/**
 * Whether GET /api/keys (the route documented for billing keys) takes the billing key: settles a 401/403 from
 * /api/balance, whose reference page shows a dashboard token. Unknown (no field) when it did not answer either way.
 */
export async function billingKeyProbe(api: Api, debug?: (line: string) => void): Promise<FollowUpEvidence> {
  debug?.('GET /api/balance refused the billing key: asking GET /api/keys whether the key itself is accepted');
  const keys = await api.json<unknown>('GET', '/api/keys', SHAPES.keys, { retries: 0 });
  if (keys.ok) return { billingKeyAccepted: true };
  const s = keys.failure.status;
  return s === 401 || s === 403
    ? { billingKeyAccepted: false, keysError: describeFailure(keys.failure) }
    : { keysError: describeFailure(keys.failure) };
}

/** One line about a failure, for evidence ("HTTP 401", "ECONNREFUSED"). */
export function describeFailure(f: { status?: number; networkCode?: string; unexpectedBody?: string }): string {
  if (f.status !== undefined && !f.unexpectedBody) return `HTTP ${f.status}`;
  if (f.unexpectedBody) return `unexpected body (${f.unexpectedBody})`;
  return f.networkCode ?? 'no answer';
}

/**
 * Whether a record's `active` says the key is not active: `false`, and the same said as `0` or as the strings
 * "false", "0" or "inactive" (a gateway that writes its booleans as text). Anything else, a missing field
 * included, is active, as the API's own records are.
 */
export function saysInactive(v: unknown): boolean {
  if (v === false || v === 0) return true;
  return typeof v === 'string' && /^\s*(?:false|0|inactive)\s*$/i.test(v);
}
