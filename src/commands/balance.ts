import type { Register } from '../cli.js';
import { CliError } from '../errors.js';

/** Placeholder until the balance command lands. */
export const register: Register = (program, run) => {
  program.command('balance').action(async (_o: unknown, cmd) => run('balance', cmd, [], async () => { throw new CliError('failed', 'balance is not built yet'); }));
};
