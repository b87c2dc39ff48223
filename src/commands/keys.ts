import type { Register } from '../cli.js';
import { CliError } from '../errors.js';

/** Placeholder until the keys command lands. */
export const register: Register = (program, run) => {
  program.command('keys').action(async (_o: unknown, cmd) => run('keys', cmd, [], async () => { throw new CliError('failed', 'keys is not built yet'); }));
};
