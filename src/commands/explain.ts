import type { Command } from 'commander';
import type { CommandResult, Context, Register } from './context.js';
import { withOptions } from './register.js';
import { COMMANDS } from '../config/options.js';
import type { Failure } from '../core/types.js';
import { UsageError } from '../core/errors.js';
import { splitHeaderLine } from '../core/read-all.js';
import { diagnoseFailure } from '../api/diagnose-failure.js';
import { looksBinaryText, readErrorText } from '../readers/index.js';
import { billingKeyUsable } from '../api/account.js';
import { probeFor } from './explain-probe.js';
import { dumpKey, dumpPath } from '../diagnosis/failure.js';
import { inspectKey } from '../core/keys.js';
import { EXPLAIN_REPORTERS } from '../render/explain.js';
import { show } from '../render/reporter.js';
import { keyRoleFor } from '../api/api.js';
import { asOneText, readLogOrText } from '../logs/index.js';

interface ExplainOptions {
  status?: string;
  header: string[];
  endpoint?: string;
  probe?: boolean;
  /** Logs (src/logs): follow a growing file or a pipe; text | json | github. */
  follow?: boolean;
  format?: string;
}

/** Registers `apidoctor explain [file|-]`. */
export const register: Register = (program, run) => {
  withOptions(
    program
      .command('explain')
      .description(COMMANDS.explain)
      .argument('[file]', 'file with the response, or - for stdin (default: stdin when piped)'),
    'explain',
  )
    .addHelpText(
      'after',
      `\nExamples:\n  apidoctor explain --status 429 error.json\n  apidoctor explain traceback.txt   (what the openai SDK printed: "openai.RateLimitError: Error code: 429 - {…}")\n  curl -si https://modelswitch.io/v1/models -H "Authorization: Bearer $MODELSWITCH_API_KEY" | apidoctor explain\n  apidoctor explain - --status 403 <<< '{"error":{"message":"Forbidden"}}'
  apidoctor explain app.log                       a log: errors grouped by cause
  node app.js 2>&1 | apidoctor explain --follow -`,
    )
    .action(async (file: string | undefined, opts: ExplainOptions, cmd: Command) => {
      // explain sends nothing, but it reads the keys (from the config file too) so that a saved response
      // that echoes one is printed masked, whatever shape the key has.
      await run(
        'explain',
        cmd,
        opts.probe ? ['apiKey', 'billingKey', 'baseUrl', 'timeout'] : ['apiKey', 'billingKey'],
        async (ctx) => asOneText(ctx, await explainCommand(ctx, file, opts), opts),
        { ownsInterrupt: !!opts.follow },
      );
    });
};

/** Diagnoses a saved response exactly as `call` would have, with no network. */
export async function explainCommand(ctx: Context, file: string | undefined, opts: ExplainOptions): Promise<CommandResult> {
  let status: number | undefined;
  if (opts.status !== undefined) {
    status = Number(opts.status);
    if (!/^\d{3}$/.test(opts.status.trim())) throw new UsageError(`--status: expected a three-digit HTTP status, got "${opts.status}"`);
  }
  const input = await readLogOrText(ctx, file, {
    follow: opts.follow,
    format: opts.format,
    single: opts.status !== undefined || opts.header.length > 0,
  });
  if (typeof input !== 'string') return input;
  const text = input;
  const headers: Record<string, string> = {};
  for (const line of opts.header ?? []) {
    const [name, value] = splitHeaderLine(line);
    headers[name.toLowerCase()] = value;
  }
  if (status === undefined && looksBinaryText(text) && !/^\s*(HTTP\/\d|< HTTP\/\d)/.test(text.slice(0, 512))) {
    throw new UsageError(
      `explain: the input is binary data (${Buffer.byteLength(text)} bytes), not a response or an error text`,
      'explain reads a JSON or HTML body, curl -i/-v output, a HAR file, or what an SDK or app printed; pass --status <n> to diagnose a binary body anyway',
    );
  }
  // Read once, as `call` would have read it: a success is only a failure when its body is not what the
  // API promises (not JSON, an error envelope in it, a stream cut short or carrying an error event).
  // Besides a response, the text may be what an SDK or app printed (src/readers/): it says where each fact came from.
  const reading = readErrorText(text, { status, headers });
  const read = { failure: reading.failure, healthy: !reading.isError };
  if (read.healthy) return nothingWrong(read.failure.status!, read.failure.kind === 'stream' ? 'a complete event stream' : 'a JSON body');
  const failure: Failure = {
    ...read.failure,
    ...(read.failure.unexpectedBody ? { expected: 'a JSON body' } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : read.failure.endpoint || !dumpPath(text) ? {} : { endpoint: dumpPath(text) }),
  };
  const role = failure.endpoint ? keyRoleFor(failure.endpoint) : undefined;
  // --probe: an open 402/403 settled as `call` settles it, with the configured billing key — only for a dump
  // of the configured account (its host, where the dump shows one); otherwise say why it did not ask.
  const hasBillingKey = billingKeyUsable(ctx.config);
  const probe = opts.probe ? await probeFor(ctx, text, failure.status, role ?? 'apiKey') : {};
  // The kind of key the dump shows was sent (curl -v), probe or not: a billing key on /v1 is the wrong kind.
  const sent = dumpKey(text);
  const d0 = diagnoseFailure(ctx.config, failure, {
    role,
    keyKind: sent === undefined ? null : inspectKey(sent).kind,
    hasBillingKey,
    evidence: probe.followUp,
  });
  if (probe.why) d0.notes.push(probe.why);
  const d = reading.sources.length ? { ...d0, notes: [`Read: ${reading.sources.join('; ')}.`, ...d0.notes] } : d0;
  return {
    command: 'explain',
    reason: d.category,
    data: {
      input: {
        status: failure.status,
        headers: failure.headers,
        bytes: Buffer.byteLength(text),
        ...(reading.sources.length ? { sources: reading.sources } : {}),
      },
    },
    diagnoses: [d],
    shown: show(EXPLAIN_REPORTERS, 'text', { diagnosis: d }),
  };
}

function nothingWrong(status: number, what: string): CommandResult {
  return {
    command: 'explain',
    reason: 'ok',
    data: { input: { status } },
    diagnoses: [],
    shown: show(EXPLAIN_REPORTERS, 'text', { status, what }),
  };
}
