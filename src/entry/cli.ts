import { Command, CommanderError, Help, type Option } from 'commander';
import type { Diagnosis, ExitReason } from '../core/types.js';
import type { CommandResult, CommonOptions, Deps } from '../commands/context.js';
import { EXIT_CODES } from '../core/exit.js';
import { CliError, InterruptedError, UsageError } from '../core/errors.js';
import { Output } from '../render/output.js';
import { reportOf } from '../render/reporter.js';
import { createStyle, wantsColor, PLAIN } from '../render/style.js';
import { errorText, printDiagnosis } from '../render/diagnosis.js';
import { annotation, diagnosisMessage } from '../render/github.js';
import { fitColumns, terminalWidth } from '../render/layout.js';
import { redactor } from '../core/redact.js';
import { VERSION } from '../core/version.js';
import { COMMANDS, type CommandName } from '../config/options.js';
import { withOptions, type Register, type Runner } from '../commands/register.js';
import { commandName, flagGiven, formatConflict, jsonRequested, requestedFormats } from './argv.js';
import { nowMs } from '../core/clock.js';

/** What each exit code means, in a line (the README's table, shortened). */
const EXIT_MEANINGS: Record<ExitReason, string> = {
  ok: '',
  failed: 'fits no class below, or a declined confirmation',
  usage: 'unknown flag, bad argument, invalid config file',
  config: 'key missing, malformed or of the wrong kind; bad base URL',
  auth: '401; a deactivated, deleted or expired key',
  balance: 'insufficient balance, spend limit reached, below --min',
  rate_limit: '429 still failing after the retries',
  network: 'DNS, connection refused or reset, TLS, proxy',
  timeout: 'no answer within the timeout',
  server: '5xx after the retries',
  unexpected_response: 'not the JSON expected, a stream cut short',
  interrupted: 'Ctrl-C',
};

/** The exit codes as a two-column list ("  5    balance: …"); help's layout wraps each meaning under its column. */
function exitCodeList(): string {
  return Object.entries(EXIT_CODES)
    .map(([reason, code]) => {
      const meaning = EXIT_MEANINGS[reason as ExitReason];
      return `  ${String(code).padEnd(3)}  ${reason}${meaning ? `: ${meaning}` : ''}`;
    })
    .join('\n');
}

/** Builds the program with every command; commands are imported only when they run. */
export function buildProgram(): Command {
  const program = new Command('apidoctor')
    .description('A doctor for the ModelSwitch API: checks keys, balance, network and explains any error response.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help');
  withOptions(program, 'global')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false });

  program.addHelpText(
    'after',
    `
Exit codes:
${exitCodeList()}

Examples:
  apidoctor doctor                         check everything, one report
  apidoctor balance --min 5                exit 5 when the balance is below 5 USD
  apidoctor call /v1/models                one request, diagnosed on failure
  apidoctor explain saved-response.txt     diagnose a saved error, no network`,
  );

  return program;
}

/** The commands, each in its own module, imported on demand. */
const COMMAND_MODULES: Record<CommandName, () => Promise<{ register: Register }>> = {
  doctor: () => import('../commands/doctor.js'),
  balance: () => import('../commands/balance.js'),
  keys: () => import('../commands/keys.js'),
  call: () => import('../commands/call.js'),
  explain: () => import('../commands/explain.js'),
};

/** Registers a placeholder per command so that help lists them all without loading them. */
function registerSummaries(program: Command, except?: string): void {
  for (const [name, summary] of Object.entries(COMMANDS)) {
    if (name === except) continue;
    program.command(name).description(summary).allowUnknownOption().allowExcessArguments().helpOption(false);
  }
}

/**
 * The only error boundary: parses argv, runs one command, renders its result or error,
 * and returns the exit code. Never throws, never calls process.exit.
 */
export async function main(argv: string[], deps: Deps): Promise<number> {
  const started = nowMs();
  const json = jsonRequested(argv);
  const colorFlag = flagGiven(argv, 'no-color') ? false : undefined;
  // Reports are styled on both streams, so colour needs both to be terminals: `apidoctor keys > keys.txt`
  // writes plain text. FORCE_COLOR still forces it.
  const color = wantsColor({ flag: colorFlag, isTTY: !!deps.stderr.isTTY && !!deps.stdout.isTTY, env: deps.env, json });
  const style = await createStyle(color).catch(() => PLAIN);
  let out = new Output(deps.stdout, deps.stderr, {
    json,
    quiet: flagGiven(argv, 'quiet'),
    verbose: flagGiven(argv, 'verbose'),
    style,
    spinner: !deps.env.CI,
    width: terminalWidth(deps.stdout, deps.env),
  });
  let result: CommandResult | undefined;
  let commandLabel = commandName(argv) ?? 'apidoctor';
  let bodyOwnsInterrupt = false;
  /** Said under "✗ Interrupted" when Ctrl-C comes while a command's change may be reaching the server. */
  const interruptNote: { note?: string } = {};

  const run: Runner = async (command, cmd, needs, body, runOpts) => {
    commandLabel = command;
    const conflict = formatConflict(argv);
    if (conflict) throw conflict;
    const opts = cmd.optsWithGlobals() as CommonOptions;
    out = new Output(deps.stdout, deps.stderr, {
      json: out.json,
      quiet: !!opts.quiet,
      verbose: !!opts.verbose,
      style,
      spinner: !deps.env.CI,
      width: out.width,
    });
    const { makeContext } = await import('./make-context.js');
    const ctx = await makeContext(opts, deps, out, needs, interruptNote);
    bodyOwnsInterrupt = !!runOpts?.ownsInterrupt;
    result = await body(ctx);
  };

  const program = buildProgram();
  const name = commandName(argv);
  // `apidoctor help doctor` shows doctor's real help, so load doctor for it.
  const moduleName = name === 'help' ? argv[argv.indexOf('help') + 1] : name;
  const load = moduleName && Object.hasOwn(COMMAND_MODULES, moduleName) ? COMMAND_MODULES[moduleName as CommandName] : undefined;
  if (load) {
    try {
      (await load()).register(program, run);
    } catch (e) {
      return renderError(
        new CliError('failed', `could not load the ${moduleName} command: ${(e as Error)?.message ?? e}`, { hint: 'Reinstall apidoctor.' }),
        out,
        commandLabel,
        0,
      );
    }
  }
  registerSummaries(program, load ? moduleName : undefined);

  let helpText = '';
  // Every command, however deep (keys → list/create/…), throws instead of exiting and writes here.
  const capture = (c: Command): void => {
    c.exitOverride();
    c.configureOutput({ writeOut: (t) => (helpText += t), writeErr: (t) => (helpText += t), outputError: () => {} });
    // Help laid out for the width the rest of the output uses (a pipe has no columns: COLUMNS, else 80).
    c.configureHelp({ ...c.configureHelp(), helpWidth: out.width, optionDescription: humanDefault });
    for (const sub of c.commands) capture(sub);
  };
  capture(program);

  // A signal ends the wait for the command at once, whatever it is awaiting (a config file that loads
  // slowly, say): the result is rendered now (with --json, one document) and run.ts exits 130 or 143.
  let stop: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    stop = () => {
      if (!bodyOwnsInterrupt || deps.signal?.reason === 'SIGTERM') reject(InterruptedError.from(deps.signal, interruptNote.note));
    };
    if (deps.signal?.aborted) stop();
    else deps.signal?.addEventListener('abort', stop, { once: true });
  });
  let error: unknown;
  try {
    await Promise.race([program.parseAsync(argv, { from: 'user' }), interrupted]);
  } catch (e) {
    error = e;
  } finally {
    deps.signal?.removeEventListener('abort', stop!);
    interrupted.catch(() => {});
  }

  if (error instanceof CommanderError) {
    // No command at all: commander shows help as an error. Like git, that is a usage error: help on stderr, exit 2.
    if (error.code === 'commander.help' && error.exitCode !== 0) {
      if (!out.json) {
        deps.stderr.write(fitColumns(helpText, out.width));
        return EXIT_CODES.usage;
      }
      error = new UsageError('no command given', 'Run apidoctor --help for the commands.');
    } else if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      deps.stdout.write(fitColumns(helpText, out.width));
      return 0;
    }
  }
  if (error instanceof CommanderError) {
    error = new UsageError(error.message.replace(/^error:\s*/i, ''), 'Run apidoctor --help for usage.');
  }

  const durationMs = Math.round(nowMs() - started);
  // --format github in a workflow step: the outputs (exit-code, exit-reason, root-cause, balance) go to
  // $GITHUB_OUTPUT whatever the outcome, so that a later step can read why this one failed.
  const github = !out.json && requestedFormats(argv).some((f) => f.format === 'github');
  const publish = async (code: number, reason: ExitReason, rootCause: string, balance?: number | null): Promise<number> => {
    const path = deps.env.GITHUB_OUTPUT;
    if (!github || !path) return code;
    const { writeStepOutputs } = await import('../render/github.js');
    const problem = await writeStepOutputs(path, {
      'exit-code': code,
      'exit-reason': reason,
      'root-cause': code === 0 ? '' : rootCause,
      ...(balance !== undefined ? { balance } : {}),
    });
    if (problem) out.warn(problem);
    return code;
  };
  if (error !== undefined) {
    const code = renderError(error, out, commandLabel, durationMs, github);
    const d = error instanceof CliError ? error.diagnosis : undefined;
    const reason = error instanceof CliError ? error.reason : 'failed';
    return publish(code, reason, d?.id ?? reason, commandLabel === 'balance' ? null : undefined);
  }
  if (!result) return 0;

  const code = EXIT_CODES[result.reason];
  try {
    if (out.json) {
      const doc = {
        schemaVersion: 1,
        command: result.command,
        ok: result.reason === 'ok',
        exitCode: code,
        exitReason: result.reason,
        durationMs,
        ...result.data,
        diagnoses: result.diagnoses,
      };
      if (result.jsonLine) out.out(`${JSON.stringify(doc)}\n`);
      else await out.jsonDocument(doc);
    } else if (result.shown) {
      // The command's reporter for its --format makes the text; the Output alone writes it.
      await out.write(reportOf(result.shown, out.env), github ? deps.env.GITHUB_STEP_SUMMARY : undefined);
    }
  } catch (e) {
    // Rendering is part of the boundary too: a result that cannot be printed is reported, not thrown.
    return renderError(e, out, commandLabel, durationMs);
  }
  return publish(
    code,
    result.reason,
    result.stepOutputs?.rootCause ?? result.diagnoses[0]?.id ?? result.reason,
    result.stepOutputs?.balance,
  );
}

/** An option's help line with its default as people read it: no "(default: [])", and "(default: 1)" rather than "(default: \"1\")". */
function humanDefault(this: Help, option: Option): string {
  return Help.prototype.optionDescription
    .call(this, option)
    .replace(/ \(default: \[\]\)/, '')
    .replace(/\(default: "([^"]*)"\)/, '(default: $1)');
}

/** Renders any thrown error through the one path: a diagnosis when there is one, a clear line otherwise. */
function renderError(error: unknown, out: Output, command: string, durationMs: number, github = false): number {
  let reason: ExitReason;
  let message: string;
  let hint: string | undefined;
  let diagnoses: Diagnosis[] = [];
  if (error instanceof CliError) {
    reason = error.reason;
    message = error.message;
    hint = error.hint;
    if (error.diagnosis) diagnoses = [error.diagnosis];
  } else {
    reason = 'failed';
    message = `internal error: ${(error as Error)?.message ?? String(error)}`;
    hint = 'This is a bug in apidoctor; please report it with the command you ran (keys are redacted).';
  }
  const code = error instanceof InterruptedError && error.signal === 'SIGTERM' ? 143 : EXIT_CODES[reason];
  if (out.json) {
    out.jsonDocument({
      schemaVersion: 1,
      command,
      ok: false,
      exitCode: code,
      exitReason: reason,
      durationMs,
      error: { message: redactor.redact(message), ...(hint ? { hint } : {}) },
      diagnoses,
    });
    return code;
  }
  if (github) {
    // The failure as a workflow annotation on stdout too; the human report stays on stderr.
    const title = `apidoctor ${command}`;
    if (diagnoses.length > 0) for (const d of diagnoses) out.out(annotation('error', title, diagnosisMessage(d)));
    else out.out(annotation('error', title, `${message}${hint ? `\n${hint}` : ''}`));
  }
  if (diagnoses.length > 0) {
    for (const d of diagnoses) printDiagnosis(out, d);
  } else {
    out.err(errorText(message, hint, out.style, out.width), true);
  }
  return code;
}
