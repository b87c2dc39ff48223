import type { Command } from 'commander';
import type { Dispatcher } from 'undici';
import type { SettingName } from '../config/settings.js';
import type { Diagnosis, ExitReason } from '../core/types.js';
import type { Clock } from '../http/client.js';
import type { Output, Sink } from '../render/output.js';
import type { Shown } from '../render/reporter.js';
import type { ResolvedConfig, ConfigFlags } from '../config/resolve.js';
import type { Api } from '../api/api.js';

/** Everything main() takes from the outside world: tests pass their own. */
export interface Deps {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: Sink;
  stderr: Sink;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  dispatcher?: Dispatcher;
  clock?: Clock;
  random?: () => number;
  /** Aborted on SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

/** Options every command accepts (commander's names): the configuration flags and the output ones. */
export interface CommonOptions extends ConfigFlags {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
}

/** What a command works with. */
export interface Context {
  deps: Deps;
  opts: CommonOptions;
  out: Output;
  config: ResolvedConfig;
  api: Api;
  /** What "✗ Interrupted" adds if Ctrl-C comes now (set through whileInterruptible). */
  interrupt?: { note?: string };
}

/**
 * Runs `work` (a request that changes something) with `note` said under "✗ Interrupted" if Ctrl-C ends the run
 * meanwhile: the request may have reached the server, and the user should look before running it again.
 */
export async function whileInterruptible<T>(ctx: Context, note: string, work: () => Promise<T>): Promise<T> {
  const holder = ctx.interrupt;
  if (holder) holder.note = note;
  try {
    return await work();
  } finally {
    if (holder) holder.note = undefined;
  }
}

/** What a command returns: data, never printed output. main() renders it and picks the exit code. */
export interface CommandResult {
  command: string;
  reason: ExitReason;
  /** The command's own fields of the JSON document. */
  data: Record<string, unknown>;
  diagnoses: Diagnosis[];
  /**
   * What people see: the command's reporters keyed by --format, the format chosen and the view they read
   * (src/render/reporter.ts). main() runs the reporter and the Output writes its Report; not used with --json.
   */
  shown?: Shown;
  /** For $GITHUB_OUTPUT (--format github): what caused a failure (default: the first diagnosis id) and the balance read. */
  stepOutputs?: { rootCause?: string; balance?: number | null };
  /** With --json, the document on one line (it ends a stream of JSON lines: explain --follow). */
  jsonLine?: boolean;
}

/** A command module: registers itself on the program and returns its result through `run`. */
export type Register = (program: Command, run: Runner) => void;

/**
 * Runs a command body with a prepared context; main() renders what it returns. `ownsInterrupt`: once the
 * body runs, Ctrl-C is the body's to answer (explain --follow ends with its summary, exit 130).
 */
export type Runner = (
  command: string,
  cmd: Command,
  needs: readonly SettingName[],
  body: (ctx: Context) => Promise<CommandResult>,
  opts?: { ownsInterrupt?: boolean },
) => Promise<void>;
