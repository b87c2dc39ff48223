import type { Diagnosis, Evidence } from '../core/types.js';
import { nowMs } from '../core/clock.js';

/** A check's verdict. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** What a check returns (the runner adds id, title, time). */
export interface CheckOutcome {
  status: CheckStatus;
  detail: string;
  diagnosis?: Diagnosis;
  /** Facts for JSON and for checks that depend on this one (model list, key records, balance). */
  evidence?: Record<string, unknown> & Partial<Evidence>;
  /** For skip: the check that blocked this one. */
  blockedBy?: string;
  /** A pass/warn that still stops the checks that need it (a billing key that is not set). */
  blocks?: boolean;
  /** What the checks it blocks say, when `detail` is too long to repeat ("no billing key"). */
  blocksAs?: string;
  /** Left out by --skip: a check that needs it cannot run without it. */
  omitted?: boolean;
}

/** A finished check, as reported. */
export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  durationMs: number;
}

/** What a check's run() gets besides its own context. */
export interface CheckApi {
  /** Waits for another check's result (for evidence; must not be a check that waits on this one). */
  result(id: string): Promise<CheckResult>;
  /** Tells the runner which host this check is waiting on, for the "still waiting" line. */
  waitingOn(host: string | undefined): void;
  /** Aborted when the check's deadline passes. */
  signal: AbortSignal;
}

/** One row of the checks table. */
export interface CheckDef<C> {
  id: string;
  title: string;
  /** Checks that must pass (or warn) first; a failed or skipped one makes this a skip. */
  needs: readonly string[];
  /**
   * Checks this one runs alongside rather than after (it costs only a request that would fail anyway),
   * but whose failure makes its result moot: it is then reported as skipped, blocked by that failure.
   * This keeps DNS, TCP and TLS round trips off the path to the first API request.
   */
  after?: readonly string[];
  /** Whether it runs with no flag (false for --live). */
  byDefault?: boolean;
  /** What it needs, for --list-checks. */
  requires: string;
  run(ctx: C, api: CheckApi): Promise<CheckOutcome>;
}

/** Options of a run. */
export interface RunOptions {
  only?: ReadonlySet<string>;
  skip?: ReadonlySet<string>;
  /** Per-check deadline in ms. */
  deadlineMs: number;
  /** Called when a check starts or ends, for progress. */
  onProgress?: (running: Map<string, string | undefined>) => void;
  now?: () => number;
}

/**
 * The skip that the first blocking prerequisite imposes, if any. A failure blocks; so does a skip
 * caused by a failure upstream, and an outcome marked `blocks`. A skip that only means "not
 * applicable" (no TLS on http, --only) does not.
 */
function blockedBy(deps: CheckResult[], hard: boolean): Pick<CheckResult, 'status' | 'detail' | 'blockedBy'> | undefined {
  const b = deps.find(
    (d) => d.status === 'fail' || d.blocks || (d.status === 'skip' && (d.blockedBy !== undefined || (hard && d.omitted))),
  );
  if (!b) return undefined;
  const why =
    b.status === 'fail'
      ? `blocked: ${b.title} failed`
      : b.omitted
        ? `blocked: needs ${b.id}, which --skip left out`
        : b.status === 'skip'
          ? b.detail
          : `blocked: ${b.blocksAs ?? `${b.title}: ${b.detail}`}`;
  return { status: 'skip', detail: why, blockedBy: b.status === 'skip' && b.blockedBy ? b.blockedBy : b.id };
}

/**
 * Runs the checks as a dependency graph: each starts as soon as what it needs has finished, so
 * independent checks overlap. A check whose prerequisite failed or was skipped is a skip with
 * `blockedBy` — never a second red line. Results come back in table order.
 */
export async function runChecks<C>(defs: readonly CheckDef<C>[], ctx: C, opts: RunOptions): Promise<CheckResult[]> {
  const now = opts.now ?? nowMs;
  const byId = new Map(defs.map((d) => [d.id, d]));
  // --only runs what it names and, silently needed, their prerequisites (a model check needs the model list).
  let only = opts.only;
  if (only) {
    const all = new Set<string>();
    const add = (id: string) => {
      if (all.has(id)) return;
      all.add(id);
      for (const n of byId.get(id)?.needs ?? []) add(n);
    };
    for (const id of only) add(id);
    only = all;
  }
  const promises = new Map<string, Promise<CheckResult>>();
  const running = new Map<string, string | undefined>();

  const start = (def: CheckDef<C>): Promise<CheckResult> => {
    const existing = promises.get(def.id);
    if (existing) return existing;
    const p = (async (): Promise<CheckResult> => {
      const base = { id: def.id, title: def.title };
      if (opts.skip?.has(def.id)) return { ...base, status: 'skip', detail: 'skipped by --skip', omitted: true, durationMs: 0 };
      if (only && !only.has(def.id)) return { ...base, status: 'skip', detail: 'not in --only', durationMs: 0 };
      const startAll = (ids: readonly string[] | undefined) =>
        Promise.all((ids ?? []).filter((n) => byId.has(n)).map((n) => start(byId.get(n)!)));
      const blocked = blockedBy(await startAll(def.needs), true);
      if (blocked) return { ...base, ...blocked, durationMs: 0 };
      const soft = startAll(def.after);
      const t0 = now();
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(new Error('deadline')), opts.deadlineMs);
      running.set(def.id, undefined);
      opts.onProgress?.(running);
      const api: CheckApi = {
        result: (id) => {
          const d = byId.get(id);
          if (!d) return Promise.resolve({ id, title: id, status: 'skip', detail: 'not part of this run', durationMs: 0 });
          return start(d);
        },
        waitingOn: (host) => {
          running.set(def.id, host);
          opts.onProgress?.(running);
        },
        signal: ac.signal,
      };
      let outcome: CheckOutcome;
      try {
        outcome = await Promise.race([
          def.run(ctx, api),
          new Promise<CheckOutcome>((resolve) =>
            ac.signal.addEventListener('abort', () =>
              resolve({ status: 'fail', detail: `no result within ${Math.round(opts.deadlineMs)} ms`, evidence: { timedOut: true } }),
            ),
          ),
        ]);
      } catch (e) {
        // A check must report, not throw; one that throws is a bug shown as a failure, never a crash.
        if ((e as { name?: string })?.name === 'InterruptedError') throw e;
        outcome = { status: 'fail', detail: `internal error: ${(e as Error)?.message ?? String(e)}` };
      } finally {
        clearTimeout(timer);
        running.delete(def.id);
        opts.onProgress?.(running);
      }
      const softBlocked = blockedBy(await soft, false);
      if (softBlocked) return { ...base, ...softBlocked, durationMs: 0 };
      return { ...base, ...outcome, durationMs: Math.round(now() - t0) };
    })();
    promises.set(def.id, p);
    return p;
  };

  // Start the checks that run alongside the network checks (the API requests) first, with their
  // prerequisites, and the others a turn of the event loop later: the requests go out before the
  // other checks take the CPU, and the answers are awaited meanwhile. Results come in table order.
  const first = defs.filter((d) => d.after?.length);
  if (first.length) {
    // Awaited by the Promise.all below; until then an InterruptedError (Ctrl-C already pressed) must
    // not count as an unhandled rejection.
    for (const def of first) start(def).catch(() => {});
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return Promise.all(defs.map(start));
}
