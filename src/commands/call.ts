import type { Command } from 'commander';
import type { CommandResult, Context, Register } from './context.js';
import { withOptions } from './register.js';
import { COMMANDS } from '../config/options.js';
import type { Attempt, Failure } from '../core/types.js';
import type { SettingName } from '../config/settings.js';
import { parseCount } from '../config/settings.js';
import { UsageError, DiagnosedError } from '../core/errors.js';
import { readAll, readNamedFile, splitHeaderLine } from '../core/read-all.js';
import { keyRoleFor, parseJsonSuccess, shapeFor } from '../api/api.js';
import { accountFollowUp, diagnoseWithFollowUp, retryableFor } from '../api/diagnose-failure.js';
import { preflight } from '../diagnosis/key-problem.js';
import { diagnoseById } from '../diagnosis/engine.js';
import type { SseEvent } from '../http/sse.js';
import { toFailure } from '../http/failure.js';
import { SseParser } from '../diagnosis/sse.js';
import { CALL_REPORTERS, statusBlock } from '../render/call.js';
import { show } from '../render/reporter.js';
import { formatWait } from '../core/format.js';
import { redactor } from '../core/redact.js';
import { jsonTextSafe } from '../render/sanitize.js';
import { parseJson } from '../core/json-depth.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

interface CallOptions {
  data?: string;
  header: string[];
  retries: string;
  stream?: boolean;
  include?: boolean;
}

/** Registers `apidoctor call [METHOD] <path>`. */
export const register: Register = (program, run) => {
  withOptions(
    program
      .command('call')
      .description(COMMANDS.call)
      .argument('[method]', 'HTTP method (default GET, or POST with --data)')
      .argument('[path]', 'API path such as /v1/models or /api/balance'),
    'call',
  )
    .addHelpText(
      'after',
      '\nExamples:\n  apidoctor call /v1/models\n  apidoctor call POST /v1/chat/completions --data @req.json\n  apidoctor call /api/balance --json',
    )
    .action(async (a: string | undefined, b: string | undefined, opts: CallOptions, cmd: Command) => {
      const { method, path } = parseTarget(a, b, opts.data !== undefined);
      const role = keyRoleFor(path);
      // A /v1 call also wants the billing key: a 402/403 is settled with it.
      const needs: SettingName[] = ['baseUrl', 'timeout', ...(role ? [role] : []), ...(role === 'apiKey' ? (['billingKey'] as const) : [])];
      await run('call', cmd, needs, (ctx) => callCommand(ctx, method, path, opts));
    });
};

/** Reads `[METHOD] <path>`; a full URL is taken as its path (the key is sent only to the configured host). */
export function parseTarget(a: string | undefined, b: string | undefined, hasData: boolean): { method: string; path: string } {
  let method: string;
  let target: string | undefined;
  if (b !== undefined) {
    method = (a ?? '').toUpperCase();
    target = b;
    if (!METHODS.has(method)) throw new UsageError(`unknown HTTP method "${a}"`, `Use one of ${[...METHODS].join(', ')}.`);
  } else {
    method = hasData ? 'POST' : 'GET';
    target = a;
  }
  if (!target) throw new UsageError('call needs a path, such as /v1/models or /api/balance', 'Example: apidoctor call /v1/models');
  if (/^https?:\/\//i.test(target)) {
    throw new UsageError(
      `call takes a path, not a full URL ("${target.replace(/\?.*/, '')}")`,
      'Give the path (/v1/models) and set the host with --base-url, so that keys are sent only where you configured them.',
    );
  }
  if (!target.startsWith('/')) target = '/' + target;
  // Resolve "." and ".." as the URL will, so that the key is chosen for the path actually requested
  // (/v1/../api/keys is /api/keys and needs the billing key).
  const u = new URL(target, 'http://apidoctor.invalid');
  target = u.pathname + u.search;
  return { method, path: target };
}

async function readData(spec: string, ctx: Context): Promise<string> {
  if (spec === '-') {
    const stdin = ctx.deps.stdin;
    if (!stdin || stdin.isTTY)
      throw new UsageError(
        '--data - reads the body from standard input, but nothing is piped in',
        'Example: echo \'{"model":"gpt-4o"}\' | apidoctor call POST /v1/chat/completions --data -',
      );
    return (await readAll(stdin, { signal: ctx.deps.signal })).toString('utf8');
  }
  if (spec.startsWith('@')) {
    const file = spec.slice(1);
    return readNamedFile(file, `--data @${file}`, 'Check the path; --data takes JSON text, @file or - for stdin.');
  }
  return spec;
}

/** Parses --header lines; a header that carries a secret is registered with the redactor. */
function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const [name, value] = splitHeaderLine(line, '--header', true);
    if (/authorization|api-key|token/i.test(name)) {
      redactor.add(value);
      redactor.add(value.replace(/^bearer\s+/i, ''));
    }
    headers[name] = value;
  }
  return headers;
}

/** The request, the diagnosis on failure, and the 402/403 follow-up. */
export async function callCommand(ctx: Context, method: string, path: string, opts: CallOptions): Promise<CommandResult> {
  const { config, out, api } = ctx;
  const retries = parseCount(opts.retries, '--retries', 10);
  const extraHeaders = parseHeaders(opts.header ?? []);
  let body = opts.data !== undefined ? await readData(opts.data, ctx) : undefined;
  if (body !== undefined && body.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = parseJson(body);
    } catch (e) {
      throw new UsageError(`--data is not valid JSON: ${(e as Error).message}`, 'The API takes JSON bodies; check quotes and commas.');
    }
    if (opts.stream && parsed && typeof parsed === 'object' && !Array.isArray(parsed) && (parsed as { stream?: unknown }).stream !== true) {
      body = JSON.stringify({ ...(parsed as object), stream: true });
    }
  }

  const role = keyRoleFor(path);
  // With its own Authorization header the user takes the key into their hands; the base URL still counts.
  const ownAuth = Object.keys(extraHeaders).some((h) => h.toLowerCase() === 'authorization');
  const problem =
    role && !ownAuth
      ? preflight(role, config, { method, endpoint: path })
      : config.baseUrlProblem
        ? diagnoseById('config.bad-base-url', { method, endpoint: path }, [config.baseUrlProblem])
        : undefined;
  if (problem) throw new DiagnosedError(problem);

  const url = api.url(path);
  const spin = out.spinner(`${method} ${path}`);
  const parser = opts.stream ? new SseParser() : undefined;
  const events: unknown[] = [];
  const streamed = opts.stream && !out.json;
  const onAttempt = (a: Attempt, willRetry: boolean) => {
    if (a.status !== undefined && (a.status >= 400 || willRetry)) {
      const next =
        willRetry && a.waitMs !== undefined
          ? ` — retrying in ${formatWait(a.waitMs)} (${a.retryNote})`
          : a.retryNote
            ? ` — ${a.retryNote}`
            : '';
      out.progress(`${out.style.warn(out.style.symbols.warn)} attempt ${a.n}: HTTP ${a.status}${next}\n`);
    }
  };
  const onChunk = parser
    ? (text: string) => {
        spin.stop();
        for (const ev of parser.feed(text)) if (out.json) events.push(eventData(ev));
        if (streamed) out.outChunk(jsonTextSafe(text));
      }
    : undefined;

  const outcome = await api.request(method, path, {
    body,
    headers: extraHeaders,
    retries,
    onAttempt,
    onChunk,
    // Streamed: the status block goes out before the body, as curl -i does.
    onResponse: streamed && opts.include ? (status, headers) => out.outChunk(statusBlock(status, headers)) : undefined,
    isRetryable: retryableFor(config, role),
  });
  spin.stop();
  if (streamed) out.endChunks();

  if (outcome.ok) {
    if (parser) {
      for (const ev of parser.end()) if (out.json) events.push(eventData(ev));
      const isSse = /event-stream/i.test(outcome.headers['content-type'] ?? '') || parser.count > 0;
      if (isSse && (parser.errorEvent || !parser.done)) {
        const f = streamFailure(outcome.status, outcome.headers, outcome.attempts, method, path, parser, outcome.body);
        return failureResult(ctx, f, role, { response: { status: outcome.status, headers: outcome.headers }, events }, opts);
      }
      if (isSse) {
        return {
          command: 'call',
          reason: 'ok',
          data: {
            request: { method, url },
            response: { status: outcome.status, headers: outcome.headers },
            events,
            attempts: outcome.attempts,
          },
          diagnoses: [],
          shown: show(CALL_REPORTERS, 'text', { kind: 'stream', events: parser.count }),
        };
      }
    }
    const parsed = parseJsonSuccess<unknown>(outcome, method, url, shapeFor(method, path));
    if (!parsed.ok && method !== 'HEAD') {
      return failureResult(
        ctx,
        parsed.failure,
        role,
        { response: { status: outcome.status, headers: outcome.headers, body: outcome.body.slice(0, 4096) } },
        opts,
      );
    }
    const data = parsed.ok ? parsed.data : undefined;
    return {
      command: 'call',
      reason: 'ok',
      data: {
        request: { method, url },
        response: { status: outcome.status, headers: outcome.headers, body: data ?? outcome.body, bytes: outcome.bytes },
        attempts: outcome.attempts,
      },
      diagnoses: [],
      shown: show(CALL_REPORTERS, 'text', {
        kind: 'answer',
        streamed: !!streamed,
        include: !!opts.include,
        status: outcome.status,
        headers: outcome.headers,
        body: outcome.body,
        data,
        attempts: outcome.attempts,
      }),
    };
  }
  return failureResult(ctx, outcome.failure, role, {}, opts);
}

function eventData(ev: SseEvent): unknown {
  try {
    return ev.event ? { event: ev.event, data: parseJson(ev.data) } : parseJson(ev.data);
  } catch {
    return ev.event ? { event: ev.event, data: ev.data } : ev.data;
  }
}

function streamFailure(
  status: number,
  headers: Record<string, string>,
  attempts: Attempt[],
  method: string,
  path: string,
  parser: SseParser,
  raw: string,
): Failure {
  const errorBlock = parser.errorEvent
    ? `${parser.errorEvent.event ? `event: ${parser.errorEvent.event}\n` : ''}data: ${parser.errorEvent.data}\n\n`
    : raw.slice(-65536);
  return toFailure({
    kind: 'stream',
    status,
    headers,
    body: errorBlock + (parser.done ? 'data: [DONE]\n\n' : ''),
    attempts,
    method,
    endpoint: path,
    streamCut: !parser.done,
  });
}

/** Diagnoses a failure (asking the account endpoints first for an open 402/403) and builds the result. */
async function failureResult(
  ctx: Context,
  f: Failure,
  role: 'apiKey' | 'billingKey' | undefined,
  extra: Record<string, unknown>,
  opts: CallOptions,
): Promise<CommandResult> {
  const { api } = ctx;
  const { diagnosis: d, followUp: evidence } = await diagnoseWithFollowUp(ctx.config, f, {
    role,
    source: accountFollowUp(ctx, { refusal: true }),
  });
  return {
    command: 'call',
    reason: d.category,
    data: {
      request: { method: f.method, url: api.url(f.endpoint ?? '') },
      ...extra,
      attempts: f.attempts,
      ...(evidence ? { followUp: evidence } : {}),
    },
    diagnoses: [d],
    shown: show(CALL_REPORTERS, 'text', {
      kind: 'failure',
      include: !!opts.include,
      status: f.status,
      headers: f.headers,
      body: f.body,
      diagnosis: d,
    }),
  };
}
