import type { SettingName } from './settings.js';

// Every option of apidoctor, as data: the one table that commander's options (src/commands/options.ts),
// the argv pre-scan (src/entry/argv.ts), help and the README's tables (scripts/readme-options.ts, checked
// by test/unit/options.test.ts) are made from. Add or change an option here, then run
// `npm run readme:options`.

/** The commands, in help order, with their one-line summaries (help lists them without loading them). */
export const COMMANDS = {
  doctor: 'run every health check and print one report',
  balance: 'print the account balance; --min guards it for cron and CI',
  keys: 'list and manage proxy keys (show, create, activate, deactivate, delete, rotate)',
  call: 'send one request to the API, diagnosed on failure: call [METHOD] <path>',
  explain: 'diagnose a saved response or an error text (JSON, curl, HAR, SDK and app errors) with no network',
} as const;
export type CommandName = keyof typeof COMMANDS;

/** Where an option applies: every command (`global`), a command, or a `keys` subcommand (`keys change`: activate, deactivate, delete). */
export type OptionScope = 'global' | Exclude<CommandName, 'keys'> | 'keys list' | 'keys create' | 'keys rotate' | 'keys change';

/** One option. */
export interface OptionSpec {
  /** As commander takes them: `-q, --quiet`, `--timeout <ms>` (a `<value>` means the option takes one). */
  flags: string;
  description: string;
  scopes: readonly OptionScope[];
  /** The setting it gives a value to (also its config file key); resolved flag > env > file > default. */
  setting?: SettingName;
  /** The environment variable read when the flag is not given. */
  env?: string;
  /** The value used when it is not given. A setting's default is applied by src/config/resolve.ts (so that its source is known); any other's by commander. */
  defaultValue?: string | number;
  /** The default as help and the README show it, when the bare value would not say it well. */
  defaultText?: string;
  /** How a setting's value is read: `ms` is a number of milliseconds. */
  type?: 'string' | 'ms';
  /** The values it accepts (`--format`), listed in help. */
  values?: readonly string[];
  /** Given several times, the values collect into a list (empty when never given). */
  repeatable?: boolean;
  /** Must be given. */
  required?: boolean;
  /** The README's name for it in the configuration table; only options with one are in that table. */
  readme?: string;
}

export const DEFAULT_BASE_URL = 'https://modelswitch.io';
export const DEFAULT_TIMEOUT_MS = 15_000;

const G = ['global'] as const;

/** The table. Order is help's order. */
export const OPTIONS: readonly OptionSpec[] = [
  // ── every command ──
  {
    flags: '--api-key <key>',
    description:
      'proxy key (ms-) for /v1 inference; visible to other users in the process list (ps) while it runs: prefer env MODELSWITCH_API_KEY or a config file',
    scopes: G,
    setting: 'apiKey',
    env: 'MODELSWITCH_API_KEY',
    type: 'string',
    readme: 'proxy key (`ms-`)',
  },
  {
    flags: '--billing-key <key>',
    description:
      'billing key (mk-) for /api account endpoints; visible in the process list like --api-key: prefer env MODELSWITCH_BILLING_KEY or a config file',
    scopes: G,
    setting: 'billingKey',
    env: 'MODELSWITCH_BILLING_KEY',
    type: 'string',
    readme: 'billing key (`mk-`)',
  },
  {
    flags: '--base-url <url>',
    description: 'API root; /v1 and /api are appended',
    scopes: G,
    setting: 'baseUrl',
    env: 'MODELSWITCH_BASE_URL',
    type: 'string',
    defaultValue: DEFAULT_BASE_URL,
    readme: 'base URL (root; `/v1` and `/api` are appended)',
  },
  {
    flags: '--timeout <ms>',
    description: 'per-request timeout in ms',
    scopes: G,
    setting: 'timeout',
    env: 'APIDOCTOR_TIMEOUT',
    type: 'ms',
    defaultValue: DEFAULT_TIMEOUT_MS,
    readme: 'per-request timeout (ms)',
  },
  {
    flags: '--model <id>',
    description: 'model for checks',
    scopes: G,
    setting: 'model',
    env: 'APIDOCTOR_MODEL',
    type: 'string',
    readme: 'default model (for checks)',
  },
  {
    flags: '--config <path>',
    description: 'config file',
    scopes: G,
    env: 'APIDOCTOR_CONFIG',
    defaultText: 'search for .apidoctorrc*, apidoctor.config.*, package.json "apidoctor"',
    readme: 'config file',
  },
  { flags: '--json', description: 'print exactly one JSON document on stdout', scopes: G },
  { flags: '-q, --quiet', description: 'print only the result or the verdict', scopes: G },
  { flags: '-v, --verbose', description: 'add timings and a redacted trace of each HTTP exchange', scopes: G },
  { flags: '--no-color', description: 'no colour (also NO_COLOR=1)', scopes: G },

  // ── doctor ──
  {
    flags: '--min-balance <usd>',
    description: 'fail below this balance; warn when small',
    scopes: ['doctor'],
    defaultValue: '1',
    defaultText: '1 USD',
  },
  { flags: '--live', description: 'also send one chat completion with max_tokens 1 (costs money)', scopes: ['doctor'] },
  { flags: '--only <ids>', description: 'run only these checks (comma-separated ids)', scopes: ['doctor'] },
  { flags: '--skip <ids>', description: 'skip these checks (comma-separated ids)', scopes: ['doctor'] },
  { flags: '--list-checks', description: 'list the checks and exit', scopes: ['doctor'] },
  { flags: '--strict', description: 'warnings fail too', scopes: ['doctor'] },
  {
    flags: '--format <format>',
    description: 'report format',
    scopes: ['doctor'],
    values: ['text', 'json', 'github', 'junit', 'markdown'],
    defaultValue: 'text',
  },

  // ── balance ──
  { flags: '--min <usd>', description: 'exit 5 (balance) when the balance is below this many USD', scopes: ['balance'] },
  {
    flags: '--format <format>',
    description: 'output (--json is --format json)',
    scopes: ['balance'],
    values: ['text', 'json', 'value', 'openmetrics', 'github'],
    defaultValue: 'text',
  },
  {
    flags: '--fail-open',
    description:
      'exit 0 (decision "unknown") when the balance could not be checked: network, timeout, 5xx — never for key or config problems',
    scopes: ['balance'],
  },

  // ── keys ──
  { flags: '--expiring-within <days>', description: 'exit 1 when an active key expires within this many days', scopes: ['keys list'] },
  {
    flags: '--format <format>',
    description: 'output (--json is --format json; github: annotations and step outputs)',
    scopes: ['keys list'],
    values: ['text', 'json', 'github'],
  },
  { flags: '--name <name>', description: 'label: the app or environment that will use it', scopes: ['keys create'], required: true },
  {
    flags: '--expires <date>',
    description: 'expiry: an ISO date (2026-01-31, 2026-01-31T12:00:00Z) or a number of days (90d)',
    scopes: ['keys create'],
  },
  { flags: '--name <name>', description: 'label of the new key', scopes: ['keys rotate'], required: true },
  { flags: '--expires <date>', description: 'expiry of the new key: ISO date or a number of days (90d)', scopes: ['keys rotate'] },
  { flags: '-y, --yes', description: 'do not ask for confirmation', scopes: ['keys create', 'keys change', 'keys rotate'] },

  // ── call ──
  { flags: '-d, --data <json|@file|->', description: 'request body: JSON text, @file, or - for stdin', scopes: ['call'] },
  { flags: '-H, --header <line>', description: 'extra header "Name: value" (repeatable)', scopes: ['call'], repeatable: true },
  { flags: '--retries <n>', description: 'retries for 429/500/502/503, backoff from 1 s doubling', scopes: ['call'], defaultValue: '3' },
  { flags: '--stream', description: 'stream server-sent events to stdout as they arrive', scopes: ['call'] },
  { flags: '-i, --include', description: 'print the status line and headers before the body', scopes: ['call'] },

  // ── explain ──
  { flags: '--status <n>', description: 'the HTTP status, when the file holds only the body', scopes: ['explain'] },
  { flags: '-H, --header <line>', description: 'a response header "Name: value" (repeatable)', scopes: ['explain'], repeatable: true },
  {
    flags: '--endpoint <path>',
    description: 'the path the response came from (/v1/models, /api/balance), for a sharper reading',
    scopes: ['explain'],
  },
  {
    flags: '--probe',
    description: 'settle an open 402/403 as call does: ask GET /api/balance and GET /api/keys with the configured billing key',
    scopes: ['explain'],
  },
  {
    flags: '--follow',
    description: 'read a growing log file or a pipe: a line per new error, the grouped summary at the end or on Ctrl-C',
    scopes: ['explain'],
  },
  { flags: '--format <format>', description: 'output (--json is --format json)', scopes: ['explain'], values: ['text', 'json', 'github'] },
];

/** The options of one scope, in table order. */
export function optionsOf(scope: OptionScope): OptionSpec[] {
  return OPTIONS.filter((o) => o.scopes.includes(scope));
}

/** An option's long name without dashes (`--api-key <key>` → `api-key`). */
export function longName(spec: OptionSpec): string {
  return /--([\w-]+)/.exec(spec.flags)![1]!;
}

/** Its short flag (`-q`), if any. */
export function shortFlag(spec: OptionSpec): string | undefined {
  return /^(-\w),/.exec(spec.flags)?.[1];
}

/** Whether it takes a value (`--timeout <ms>`). */
export function takesValue(spec: OptionSpec): boolean {
  return /[<[]/.test(spec.flags);
}

/** Its help line: the description, the values it accepts, the env var it reads, its default, each shown once. */
export function helpText(spec: OptionSpec): string {
  let text = spec.values ? `${spec.description.replace(/^([^(]*?)(\s*\(|$)/, `$1: ${spec.values.join('|')}$2`)}` : spec.description;
  if (spec.env && !text.includes(spec.env)) text += ` [env ${spec.env}]`;
  const shown = defaultShown(spec);
  // A setting's default is applied by resolve, not commander: say it here. Commander says any other's.
  if (shown !== undefined && (spec.setting || spec.scopes.includes('global'))) text += ` (default: ${shown})`;
  return text;
}

/** The default as a person reads it: `15000`, `https://modelswitch.io`, `1 USD`; undefined when there is none. */
export function defaultShown(spec: OptionSpec): string | undefined {
  return spec.defaultText ?? (spec.defaultValue === undefined ? undefined : String(spec.defaultValue));
}
