import type { Command } from 'commander';
import type { CommandResult, Context, Register } from './context.js';
import { withOptions } from './register.js';
import { COMMANDS } from '../config/options.js';
import type { Diagnosis, ExitReason } from '../core/types.js';
import { UsageError } from '../core/errors.js';
import { parseUsd } from '../config/settings.js';
import { CHECKS } from '../checks/table.js';
import { runChecks, type CheckResult } from '../checks/runner.js';
import { proxyFor } from '../http/proxy.js';
import { diagnoseById } from '../diagnosis/engine.js';
import { DOCTOR_REPORTERS, LIST_CHECKS_REPORTERS } from '../render/report.js';
import { show } from '../render/reporter.js';
import { EXIT_CODES } from '../core/exit.js';
import { VERSION } from '../core/version.js';
import { nowMs } from '../core/clock.js';

interface DoctorOptions {
  minBalance: string;
  live?: boolean;
  only?: string;
  skip?: string;
  listChecks?: boolean;
  strict?: boolean;
  format?: string;
  /** --min-balance was given (not its default). */
  minBalanceSet?: boolean;
}

const FORMATS = ['text', 'json', 'github', 'junit', 'markdown'] as const;

/** Registers `apidoctor doctor`. */
export const register: Register = (program, run) => {
  withOptions(program.command('doctor').description(COMMANDS.doctor), 'doctor')
    .addHelpText(
      'after',
      '\nExamples:\n  apidoctor doctor\n  apidoctor doctor --format github --strict\n  apidoctor doctor --format markdown > report.md   a redacted report for a support ticket\n  apidoctor doctor --only api.balance,api.proxy-key --json',
    )
    .action(async (opts: DoctorOptions, cmd: Command) => {
      const minBalanceSet = cmd.getOptionValueSource('minBalance') === 'cli';
      await run('doctor', cmd, ['apiKey', 'billingKey', 'baseUrl', 'timeout', 'model'], (ctx) =>
        doctorCommand(ctx, { ...opts, minBalanceSet }),
      );
    });
};

function idSet(raw: string | undefined, flag: string): Set<string> | undefined {
  if (raw === undefined) return undefined;
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !CHECKS.some((c) => c.id === id));
  if (unknown.length)
    throw new UsageError(
      `${flag}: unknown check id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
      'apidoctor doctor --list-checks shows the ids.',
    );
  return new Set(ids);
}

/** The root cause: the first failure in dependency (table) order; with --strict, warnings count. */
export function rootCause(results: CheckResult[], strict: boolean): { reason: ExitReason; check?: CheckResult } {
  const bad = results.find((r) => r.status === 'fail' || (strict && r.status === 'warn'));
  if (!bad) return { reason: 'ok' };
  return { reason: bad.diagnosis?.category ?? 'failed', check: bad };
}

/** The versions and the OS, for the support-ticket report (--format markdown). */
function machine(): { version: string; node: string; os: string } {
  const os = process.getBuiltinModule('node:os');
  return { version: VERSION, node: process.version, os: `${os.platform()} ${os.release()} ${os.arch()}` };
}

/** The balance the balance check read, if it read one. */
function balanceRead(results: CheckResult[]): number | undefined {
  const b = results.find((r) => r.id === 'api.balance')?.evidence?.balance;
  return typeof b === 'number' ? b : undefined;
}

/** Runs the checks and builds the report. */
export async function doctorCommand(ctx: Context, opts: DoctorOptions): Promise<CommandResult> {
  // A bad --format is a usage error with --json too (which wins when both are valid).
  if (!FORMATS.includes((opts.format ?? 'text') as (typeof FORMATS)[number]))
    throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got "${opts.format}"`);
  const format = (ctx.opts.json ? 'json' : (opts.format ?? 'text')) as (typeof FORMATS)[number];
  const minBalance = parseUsd(opts.minBalance, '--min-balance');
  const only = idSet(opts.only, '--only');
  const skip = idSet(opts.skip, '--skip');
  if (opts.listChecks) {
    return {
      command: 'doctor',
      reason: 'ok',
      data: {
        checks: CHECKS.map((c) => ({
          id: c.id,
          title: c.title,
          needs: c.needs,
          after: c.after ?? [],
          requires: c.requires,
          byDefault: c.byDefault !== false,
        })),
      },
      diagnoses: [],
      shown: show(LIST_CHECKS_REPORTERS, 'text', CHECKS),
    };
  }
  const { config, out } = ctx;
  const timeoutMs = config.timeout.value ?? 15_000;
  let proxy = {};
  try {
    proxy = config.baseUrlProblem ? {} : proxyFor(new URL(config.baseUrl.value!), ctx.deps.env);
  } catch {
    proxy = {};
  }
  const defs = CHECKS.filter((c) => c.byDefault !== false || (c.id === 'api.live' && opts.live) || only?.has(c.id));
  const spin = out.spinner('Checking…');
  const started = nowMs();
  let lastWait = '';
  let running = new Map<string, string | undefined>();
  const progress = (now: Map<string, string | undefined>) => {
    running = now;
    const hosts = [...new Set([...running.values()].filter((h): h is string => !!h))];
    const waited = nowMs() - started;
    if (hosts.length && waited > 3000) {
      const line = `still waiting for ${hosts.join(', ')} (${Math.round(waited / 1000)} s)…`;
      if (line !== lastWait) spin.text((lastWait = line));
    } else spin.text(`Checking… ${running.size} running`);
  };
  // Nothing may start or end for a while: re-say what is still awaited, so a slow host is named after 3 s.
  const ticker = setInterval(() => progress(running), 500);
  ticker.unref();
  const results = await runChecks(
    defs,
    {
      config,
      api: ctx.api,
      env: ctx.deps.env,
      cwd: ctx.deps.cwd,
      proxy,
      minBalance,
      minBalanceSet: !!opts.minBalanceSet,
      model: config.model.value,
      live: !!opts.live,
      timeoutMs,
      // Said even with --quiet: it costs money.
      announce: (t) => out.progress(`${out.style.warn(out.style.symbols.warn)} ${t}\n`, true),
    },
    {
      only,
      skip,
      // A backstop: each request has its own timeout; a check may make a few in a row.
      deadlineMs: timeoutMs * 2 + 1000,
      onProgress: progress,
    },
  );
  clearInterval(ticker);
  spin.stop();
  for (const r of results) {
    if (r.status === 'fail' && !r.diagnosis && r.evidence?.timedOut) r.diagnosis = diagnoseById('network.timeout', {}, [r.detail]);
  }
  // Advice to run apidoctor doctor is no advice inside it.
  for (const r of results)
    if (r.diagnosis) r.diagnosis = { ...r.diagnosis, remedies: r.diagnosis.remedies.filter((x) => !/\bapidoctor doctor\b/.test(x)) };
  const strict = !!opts.strict;
  const root = rootCause(results, strict);
  const diagnoses: Diagnosis[] = [];
  for (const r of results) {
    if (!r.diagnosis || (r.status !== 'fail' && r.status !== 'warn')) continue;
    if (!diagnoses.some((d) => d.id === r.diagnosis!.id && d.title === r.diagnosis!.title)) diagnoses.push(r.diagnosis);
  }
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  const summary = {
    ...counts,
    exitCode: EXIT_CODES[root.reason],
    exitReason: root.reason,
    rootCause: root.check?.id,
    rootCauseDiagnosis: root.check?.diagnosis?.id,
  };
  return {
    command: 'doctor',
    reason: root.reason,
    data: {
      baseUrl: config.baseUrl.value,
      checks: results.map((r) => ({
        id: r.id,
        title: r.title,
        status: r.status,
        detail: r.detail,
        durationMs: r.durationMs,
        blockedBy: r.blockedBy ?? null,
        diagnosis: r.diagnosis?.id ?? null,
        evidence: r.evidence ?? {},
      })),
      summary,
    },
    diagnoses,
    stepOutputs: { rootCause: root.check?.id ?? '', balance: balanceRead(results) ?? null },
    shown: show(DOCTOR_REPORTERS, format, {
      results,
      diagnoses,
      summary,
      strict,
      totalMs: Math.round(nowMs() - started),
      config,
      machine: machine(),
    }),
  };
}
