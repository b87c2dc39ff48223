import type { Register } from '../cli.js';
import { CliError } from '../errors.js';

/** Placeholder until the doctor command lands. */
export const register: Register = (program, run) => {
  program.command('doctor').action(async (_o: unknown, cmd) => run('doctor', cmd, [], async () => { throw new CliError('failed', 'doctor is not built yet'); }));
};
