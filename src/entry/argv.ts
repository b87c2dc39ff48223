import { UsageError } from '../core/errors.js';
import { OPTIONS, longName, optionsOf, shortFlag, takesValue } from '../config/options.js';

// The argv pre-scan: what main() must know before commander has parsed anything (which command to load,
// JSON or not, quiet, colour), read with the option table (src/config/options.ts) so that a flag added
// there is seen here too.

/** The global options that take a value: the word after one is its value, not the command. */
const GLOBAL_WITH_VALUE: ReadonlySet<string> = new Set(
  optionsOf('global')
    .filter(takesValue)
    .flatMap((o) => [`--${longName(o)}`, ...(shortFlag(o) ? [shortFlag(o)!] : [])]),
);

/** Every --format value some command takes. */
const KNOWN_FORMATS: ReadonlySet<string> = new Set(OPTIONS.filter((o) => longName(o) === 'format').flatMap((o) => o.values ?? []));

/** Whether the global option `name` (its long name, `quiet`) is on the command line, by its long or short flag. */
export function flagGiven(argv: readonly string[], name: string): boolean {
  const spec = optionsOf('global').find((o) => longName(o) === name);
  if (!spec) throw new Error(`no global option --${name} in the option table`);
  const short = shortFlag(spec);
  return argv.includes(`--${name}`) || (short !== undefined && argv.includes(short));
}

/** Flags that mean "JSON on stdout", known before commander has parsed anything. */
export function jsonRequested(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--json' || a === '--format=json') return true;
    if (a === '--format' && argv[i + 1] === 'json') return true;
  }
  return false;
}

/** Every output format the command line asks for, in order, with the flag that asked (`--json` is `json`). */
export function requestedFormats(argv: readonly string[]): Array<{ flag: string; format: string }> {
  const asked: Array<{ flag: string; format: string }> = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--json') asked.push({ flag: '--json', format: 'json' });
    else if (a.startsWith('--format=')) asked.push({ flag: a, format: a.slice('--format='.length) });
    else if (a === '--format' && i + 1 < argv.length) asked.push({ flag: `--format ${argv[++i]}`, format: argv[i]! });
  }
  return asked;
}

/** Two output formats that disagree (`--json --format junit`) are a usage error rather than one silently winning. */
export function formatConflict(argv: readonly string[]): UsageError | undefined {
  // An unknown format is the command's to report (`--format xml`: expected one of …).
  const asked = requestedFormats(argv);
  if (asked.some((x) => !KNOWN_FORMATS.has(x.format))) return undefined;
  const other = asked.find((x) => x.format !== asked[0]?.format);
  if (!other) return undefined;
  return new UsageError(
    `${asked[0]!.flag} and ${other.flag} ask for two different output formats`,
    'Give one: --json is the same as --format json.',
  );
}

/** Finds the subcommand named on the command line (the first word that is not an option or its value). */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (GLOBAL_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a;
  }
  return undefined;
}
