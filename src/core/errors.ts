import type { Diagnosis, ExitReason } from './types.js';

/** An error that already knows its exit reason; the CLI boundary turns it into output and an exit code. */
export class CliError extends Error {
  readonly reason: ExitReason;
  readonly diagnosis?: Diagnosis;
  /** What to do about it, one line. */
  readonly hint?: string;
  constructor(reason: ExitReason, message: string, opts: { diagnosis?: Diagnosis; hint?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.reason = reason;
    this.diagnosis = opts.diagnosis;
    this.hint = opts.hint;
  }
}

/** A bad flag, argument or config file: exit 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super('usage', message, { hint });
    this.name = 'UsageError';
  }
}

/** A problem found by a diagnosis: the exit reason is the diagnosis category. */
export class DiagnosedError extends CliError {
  constructor(diagnosis: Diagnosis) {
    super(diagnosis.category, diagnosis.title, { diagnosis });
    this.name = 'DiagnosedError';
  }
}

/** The user pressed Ctrl-C (or the process got SIGTERM). */
export class InterruptedError extends CliError {
  readonly signal: 'SIGINT' | 'SIGTERM';
  /** `hint`: what may already have happened (a request that may have reached the server), shown under the line. */
  constructor(signal: 'SIGINT' | 'SIGTERM' = 'SIGINT', hint?: string) {
    super('interrupted', signal === 'SIGINT' ? 'Interrupted (Ctrl-C)' : 'Terminated (SIGTERM)', { hint });
    this.name = 'InterruptedError';
    this.signal = signal;
  }

  /** The interruption an aborted signal stands for: its reason is the signal's name (src/entry/run.ts aborts with it). */
  static from(signal: AbortSignal | undefined, hint?: string): InterruptedError {
    return new InterruptedError(signal?.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT', hint);
  }
}
