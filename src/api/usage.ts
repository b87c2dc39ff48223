import type { Failure } from '../core/types.js';
import { fillFromBody } from '../diagnosis/failure.js';
import { describeFailure } from './account.js';
import type { Api } from './api.js';
import { DAY_MS } from '../core/format.js';

/** The documented maximum page size of /api/usage and /api/transactions. */
export const PAGE_LIMIT = 50;
/** At most this many pages (300 records): enough for 7 days of a small account, bounded for a big one. */
export const MAX_PAGES = 6;

/** One charge: when, and how much was spent (USD, positive). */
export interface Charge {
  at: number;
  usd: number;
}

/** Spend over the last 24 h and 7 days, and the runway it gives a balance. */
export interface Runway {
  available: true;
  /** Which route answered. */
  source: '/api/usage' | '/api/transactions';
  spend24h: number;
  spend7d: number;
  /** USD per day used for the estimate: the higher of the last 24 h and the 7-day average (the cautious one). */
  dailyRate: number;
  rateBasis: '24h' | '7d';
  /** Days until the balance is empty at dailyRate; null when nothing was spent (or no balance is known). */
  daysLeft: number | null;
  records: number;
  pages: number;
  /** False when the page limit stopped the walk before 7 days were covered: the 7-day figures are partial. */
  complete: boolean;
  /** Oldest charge time read (ISO), when any. */
  oldest?: string;
}

/** Why there is no runway: said once, never an error. */
export interface NoRunway {
  available: false;
  reason: string;
  /** HTTP statuses of the refusals, when the routes answered. */
  statuses?: number[];
}

/** The outcome of reading recent charges. */
export type SpendOutcome =
  | { ok: true; source: Runway['source']; charges: Charge[]; pages: number; complete: boolean }
  | { ok: false; failures: Array<{ path: string; failure: Failure }> };

type Source = { path: Runway['source']; field: string; read: (r: Record<string, unknown>) => Charge | undefined };

const SOURCES: readonly Source[] = [
  {
    path: '/api/usage',
    field: 'usage',
    read: (r) => {
      const at = Date.parse(String(r.createdAt ?? r.created_at ?? ''));
      const usd = Number(r.chargedAmount ?? r.charged_amount);
      return Number.isFinite(at) && Number.isFinite(usd) ? { at, usd: Math.max(0, usd) } : undefined;
    },
  },
  {
    path: '/api/transactions',
    field: 'transactions',
    read: (r) => {
      const at = Date.parse(String(r.createdAt ?? r.created_at ?? ''));
      const amount = Number(r.amount);
      if (!Number.isFinite(at) || !Number.isFinite(amount)) return undefined;
      // Charges are negative; top-ups and refunds are left out (a cautious burn rate).
      if (amount >= 0 || r.type === 'payment' || r.type === 'refund') return { at, usd: 0 };
      return { at, usd: -amount };
    },
  },
];

/**
 * Reads the charges of the last 7 days, newest first: /api/usage, or /api/transactions when usage fails.
 * Pages with limit 50 and offset; stops at a record older than 7 days, a short page, or MAX_PAGES.
 * /api/usage's pages are all asked at once, with the balance: a busy account then costs one round trip,
 * as a quiet one does (pages past the end answer an empty list; walking them one after another took 6
 * round trips, and asking the later ones once the first came back took 2). The price is up to five
 * requests that were not needed, on a quiet account or when the route refuses the key. The fallback,
 * /api/transactions, asked only after /api/usage failed, asks its first page alone: once the first comes
 * back full, the time it spans says how many more reach 7 days back, and those are asked together.
 */
export async function fetchCharges(api: Api, nowMs: number, debug: (line: string) => void = () => {}): Promise<SpendOutcome> {
  const failures: Array<{ path: string; failure: Failure }> = [];
  const weekAgo = nowMs - 7 * DAY_MS;
  for (const src of SOURCES) {
    const page = (n: number) =>
      api.json<Record<string, unknown>>('GET', `${src.path}?limit=${PAGE_LIMIT}&offset=${n * PAGE_LIMIT}`, (v) =>
        Array.isArray((v as Record<string, unknown> | undefined)?.[src.field]) ? undefined : `a list ({"${src.field}": [...]})`,
      );
    const charges: Charge[] = [];
    let pages = 0;
    let complete = false;
    let failed: Failure | undefined;
    let oldest = nowMs;
    /** Takes one page's records; true when the walk is over (a short page, or 7 days reached). */
    const take = (rows: unknown[], n: number): boolean => {
      pages++;
      debug(`${src.path}: ${rows.length} records on the page at offset ${n * PAGE_LIMIT}`);
      for (const row of rows) {
        const c = row && typeof row === 'object' ? src.read(row as Record<string, unknown>) : undefined;
        if (c) {
          charges.push(c);
          if (c.at < oldest) oldest = c.at;
        }
      }
      return rows.length < PAGE_LIMIT || oldest < weekAgo;
    };
    let next = 0;
    let batch = src.path === '/api/usage' ? MAX_PAGES : 1;
    while (next < MAX_PAGES && !complete && !failed) {
      const ns = Array.from({ length: Math.min(batch, MAX_PAGES - next) }, (_, i) => next + i);
      const answers = await Promise.all(ns.map(page));
      for (const [i, r] of answers.entries()) {
        if (!r.ok) {
          failed = r.failure;
          break;
        }
        if (take(r.data[src.field] as unknown[], ns[i]!)) {
          complete = true;
          break;
        }
      }
      next += ns.length;
      // Pages still needed at the rate the pages so far cover time: the time read per page, to 7 days back.
      const perPage = (nowMs - oldest) / pages;
      batch = perPage > 0 ? Math.ceil((oldest - weekAgo) / perPage) : MAX_PAGES;
    }
    if (failed && pages === 0) {
      failures.push({ path: src.path, failure: fillFromBody(failed) });
      continue;
    }
    // A later page that failed leaves what was read: partial, and said so.
    return { ok: true, source: src.path, charges, pages, complete: complete && !failed };
  }
  return { ok: false, failures };
}

/** Spend windows and runway from charges; balance undefined gives no daysLeft. */
export function runwayFrom(outcome: Extract<SpendOutcome, { ok: true }>, balance: number | undefined, nowMs: number): Runway {
  const sum = (sinceMs: number) => outcome.charges.filter((c) => c.at >= sinceMs && c.at <= nowMs + 60_000).reduce((a, c) => a + c.usd, 0);
  const spend24h = round(sum(nowMs - DAY_MS));
  const spend7d = round(sum(nowMs - 7 * DAY_MS));
  const oldestAt = outcome.charges.length ? outcome.charges.reduce((m, c) => (c.at < m ? c.at : m), Infinity) : undefined;
  // When the page limit cut the walk short, the 7-day average is over the days actually read.
  const coveredDays = outcome.complete || oldestAt === undefined ? 7 : Math.max(1, Math.min(7, (nowMs - oldestAt) / DAY_MS));
  const avg = spend7d / coveredDays;
  const rateBasis: Runway['rateBasis'] = spend24h > avg ? '24h' : '7d';
  const dailyRate = round(Math.max(spend24h, avg));
  const daysLeft = balance === undefined || dailyRate <= 0 ? null : Math.max(0, Math.round((balance / dailyRate) * 10) / 10);
  return {
    available: true,
    source: outcome.source,
    spend24h,
    spend7d,
    dailyRate,
    rateBasis,
    daysLeft,
    records: outcome.charges.length,
    pages: outcome.pages,
    complete: outcome.complete,
    ...(oldestAt !== undefined ? { oldest: new Date(oldestAt).toISOString() } : {}),
  };
}

/** Why no runway: one sentence, with the dashboard-token reading when the routes refused the key. */
export function noRunway(outcome: Extract<SpendOutcome, { ok: false }>): NoRunway {
  const statuses = outcome.failures.map((f) => f.failure.status).filter((s): s is number => s !== undefined);
  const refused = outcome.failures.length > 0 && outcome.failures.every((f) => f.failure.status === 401 || f.failure.status === 403);
  const paths = outcome.failures.map((f) => `GET ${f.path}`).join(' and ');
  const reason = refused
    ? `${paths} refused the billing key (HTTP ${[...new Set(statuses)].join('/')}): their reference pages show a dashboard token (JWT), not an mk- key`
    : `${outcome.failures.map((f) => `GET ${f.path}: ${describeFailure(f.failure)}`).join('; ')}`;
  return { available: false, reason, ...(statuses.length ? { statuses } : {}) };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
