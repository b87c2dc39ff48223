import type { Command } from 'commander';
import type { CommandResult, Context, Register } from './context.js';
import { withOptions } from './register.js';
import { COMMANDS } from '../config/options.js';
import type { Diagnosis, ExitReason } from '../core/types.js';
import { UsageError } from '../core/errors.js';
import { parseUsd } from '../config/settings.js';
import { preflight } from '../diagnosis/key-problem.js';
import { SHAPES } from '../api/api.js';
import { accountFollowUp, diagnoseWithFollowUp, retryableFor } from '../api/diagnose-failure.js';
import { fetchCharges, noRunway, runwayFrom, type NoRunway, type Runway } from '../api/usage.js';
import { diagnoseById } from '../diagnosis/engine.js';
import { SHORT_RUNWAY_DAYS, SMALL_FACTOR, nearMinimum } from '../diagnosis/small-balance.js';
import { BALANCE_REPORTERS, usd, type BalanceView } from '../render/balance.js';
import { show } from '../render/reporter.js';

interface BalanceOptions {
  min?: string;
  format?: string;
  failOpen?: boolean;
}

/** How long the runway may take once the balance is in: it is a bonus, never the guard's bottleneck. */
const RUNWAY_GRACE_MS = 3000;
const FORMATS = ['text', 'json', 'value', 'openmetrics', 'github'] as const;
type Format = (typeof FORMATS)[number];

/** Categories that mean "could not check", the only ones --fail-open turns into exit 0. */
const COULD_NOT_CHECK: ReadonlySet<string> = new Set(['network', 'timeout', 'server']);

/** Below SHORT_RUNWAY_DAYS of runway, or 2× --min, a positive balance gets the hold note (src/diagnosis/small-balance.ts). */
const MIN_FACTOR = SMALL_FACTOR.balance;

/** Registers `apidoctor balance`. */
export const register: Register = (program, run) => {
  withOptions(program.command('balance').description(COMMANDS.balance), 'balance')
    .addHelpText(
      'after',
      `
Spend over the last 24 h and 7 days, and the runway, come from GET /api/usage (or /api/transactions)
when they accept the billing key; the docs show a dashboard token for them, so they may not.

Examples:
  apidoctor balance
  apidoctor balance --min 5                       exit 5 below 5 USD (cron, CI)
  echo "left: $(apidoctor balance --format value)"
  apidoctor balance --format openmetrics > /var/lib/node_exporter/modelswitch.prom.$$ && mv …`,
    )
    .action(async (opts: BalanceOptions, cmd: Command) => {
      await run('balance', cmd, ['billingKey', 'baseUrl', 'timeout'], (ctx) => balanceCommand(ctx, opts));
    });
};

/** Reads the balance (and recent spend, concurrently) and decides against --min. */
export async function balanceCommand(ctx: Context, opts: BalanceOptions): Promise<CommandResult> {
  // Checked before --json overrides it: a bad --format is a mistake to report, not to ignore.
  if (opts.format !== undefined && !FORMATS.includes(opts.format as Format))
    throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got "${opts.format}"`);
  const format = (ctx.opts.json ? 'json' : (opts.format ?? 'text')) as Format;
  const min = opts.min !== undefined ? parseUsd(opts.min, '--min') : undefined;
  const { config, api, out } = ctx;
  const view: BalanceView = {
    balance: null,
    currency: 'USD',
    min: min ?? null,
    decision: 'unknown',
    fetchedAt: null,
    runway: { available: false, reason: 'not asked' },
    notes: [],
    failedOpen: false,
    exitReason: 'ok',
  };

  // Known with no request: bad base URL, missing or wrong billing key. Never failed open.
  const d = preflight('billingKey', config, { method: 'GET', endpoint: '/api/balance' });
  if (d) {
    view.runway = { available: false, reason: 'the balance was not asked' };
    return result(view, format, d.category, d);
  }

  // The bare number needs no spend; JSON and openmetrics always carry it.
  const wantRunway = format === 'json' || format === 'openmetrics' || (format === 'text' && !out.quiet);
  const now = Date.now();
  const spin = out.spinner('Reading the balance…');
  if (wantRunway) out.debug('asking GET /api/balance and GET /api/usage (recent spend) together');
  const spendSoon = wantRunway ? fetchCharges(api, now, (l) => out.debug(l)) : Promise.resolve(undefined);
  const [bal, spendOrLate] = await Promise.all([
    api
      .json<{ balance: number }>('GET', '/api/balance', SHAPES.balance, {
        retries: 2,
        isRetryable: retryableFor(config, 'billingKey'),
        onAttempt: (a, willRetry) => {
          if (willRetry)
            out.progress(
              `${out.style.warn(out.style.symbols.warn)} GET /api/balance attempt ${a.n}: ${a.status ?? a.networkCode ?? 'no answer'} — retrying${a.retryNote ? ` (${a.retryNote})` : ''}\n`,
            );
        },
      })
      .then((r) => ({ r, at: new Date() })),
    // The runway is extra: once the balance is in, it gets a short grace, never the guard's whole time.
    Promise.race([spendSoon, new Promise<'late'>((r) => setTimeout(() => r('late'), RUNWAY_GRACE_MS).unref())]),
  ]);
  const late = spendOrLate === 'late';
  const spend = late ? undefined : spendOrLate;
  spin.stop();

  if (!bal.r.ok) {
    // The reference shows a dashboard token for /api/balance; whether the key itself is bad, GET /api/keys (the
    // route documented for billing keys) settles, as doctor does: refused there too, the key is invalid.
    const { diagnosis: d } = await diagnoseWithFollowUp(config, bal.r.failure, {
      role: 'billingKey',
      source: accountFollowUp(ctx, { billingRefusal: true }),
    });
    view.runway = spend?.ok ? runwayFrom(spend, undefined, now) : { available: false, reason: 'the balance could not be read' };
    if (opts.failOpen && COULD_NOT_CHECK.has(d.category)) {
      view.failedOpen = true;
      return result(view, format, 'ok', d);
    }
    return result(view, format, d.category, d);
  }

  const b = bal.r.data.balance;
  view.balance = b;
  view.fetchedAt = bal.at.toISOString();
  view.runway = late
    ? { available: false, reason: `GET /api/usage did not answer within ${RUNWAY_GRACE_MS / 1000} s of the balance; runway left out` }
    : spend === undefined
      ? { available: false, reason: format === 'text' ? 'not asked with --quiet' : `not asked with --format ${format}` }
      : spend.ok
        ? runwayFrom(spend, b, now)
        : noRunway(spend);
  view.notes = notesFor(b, min, view.runway);

  if (min !== undefined && b < min) {
    view.decision = 'below';
    const d = diagnoseById('balance.below-minimum', { balance: b, method: 'GET', endpoint: '/api/balance' }, [
      `The balance is ${usd(b)} USD; the minimum is ${usd(min)} USD (--min).`,
    ]);
    return result(view, format, 'balance', d);
  }
  view.decision = 'ok';
  return result(view, format, 'ok');
}

/** The hold note for a small positive balance, and the plain fact for an empty one. */
export function notesFor(b: number, min: number | undefined, runway: Runway | NoRunway): string[] {
  if (b <= 0)
    return [
      `The balance is ${usd(b)} USD: ModelSwitch refuses every inference request (403, or 402) until you top up in Dashboard → Billing → Top up.`,
    ];
  const why: string[] = [];
  if (min !== undefined && min > 0 && b >= min && nearMinimum(b, min, MIN_FACTOR))
    why.push(`less than ${MIN_FACTOR}× the minimum of ${usd(min)} USD`);
  if (runway.available && runway.daysLeft !== null && runway.daysLeft < SHORT_RUNWAY_DAYS)
    why.push(`under ${SHORT_RUNWAY_DAYS} days at the recent rate of ${usd(runway.dailyRate)} USD/day`);
  if (why.length === 0) return [];
  return [
    `The balance is small (${why.join('; ')}). ModelSwitch holds the estimated cost of each request before forwarding it, so requests can fail before the balance reaches 0: keep a buffer, or set up auto top-up (Dashboard → Subscriptions).`,
  ];
}

function result(view: BalanceView, format: Format, reason: ExitReason, d?: Diagnosis): CommandResult {
  if (d) view.diagnosis = d;
  view.exitReason = reason;
  const diagnoses = d ? [d] : [];
  return {
    command: 'balance',
    reason,
    data: {
      balance: view.balance,
      currency: view.currency,
      min: view.min,
      decision: view.decision,
      fetchedAt: view.fetchedAt,
      runway: view.runway,
      notes: view.notes,
      ...(view.failedOpen ? { failedOpen: true } : {}),
    },
    diagnoses,
    stepOutputs: { rootCause: d?.id ?? '', balance: view.balance },
    shown: show(BALANCE_REPORTERS, format, view),
  };
}
