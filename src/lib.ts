/**
 * The library: `import { diagnose } from 'apidoctor'`. An app turns an error it caught (an openai or
 * @anthropic-ai/sdk error, a Vercel AI SDK APICallError, an axios error, a Node system error or a fetch
 * TypeError with a cause, a plain {status, headers, body}, or a string) into the Diagnosis the CLI's JSON
 * output gives. Synchronous and pure: no network, no output, no colour; it loads none of the CLI's modules
 * (commander, chalk, ora), only the readers and the diagnosis engine. Built apart from the CLI
 * (dist/lib.cjs, dist/lib.mjs, dist/lib.d.ts) by scripts/build.mjs.
 */
import type { Diagnosis } from './core/types.js';
import { diagnose as diagnoseFailure } from './diagnosis/engine.js';
import { buildFacts } from './diagnosis/facts.js';
import { innermostMessage } from './http/network-error.js';
import { Redactor } from './core/redact.js';
import { neutralize } from './render/sanitize.js';
import { readErrorText, readFreeText, readingFromParts, type TextReading } from './readers/index.js';
import { causeMessages, headersOf, readErrorObject } from './readers/object.js';

export type { Attempt, Category, Diagnosis, Evidence, Timings } from './core/types.js';

/** What the caller knows besides the error itself. */
export interface DiagnoseOptions {
  /** The HTTP status, when the input is only a body. */
  status?: number;
  /** Response headers, when the input does not carry them. */
  headers?: Record<string, string> | { forEach(cb: (value: string, key: string) => void): void };
  /** Secrets to mask wherever they appear (your own keys); key-shaped tokens of every vendor are masked anyway. */
  secrets?: string[];
  /** The clock, in ms since the epoch, for a Retry-After date; Date.now() when absent. */
  now?: number;
}

/** The diagnosis of the CLI's JSON output, plus what an app needs at run time. */
export interface AppDiagnosis extends Diagnosis {
  /**
   * The remedies an app can show its user: advice that makes sense without apidoctor. `remedies` keeps every
   * step, as the CLI prints them; `commands` are the steps that only make sense in the CLI (apidoctor …,
   * flags, environment variables).
   */
  advice: string[];
  commands: string[];
  /** How long the answer said to wait before retrying, when it said so (Retry-After, retry-after-ms, RetryInfo, the message). */
  retryAfterMs?: number;
  /** What was read from where ("status 429 from “Error code: 429”; body from the Python dict after it"). */
  sources: string[];
}

/** A remedy that only makes sense in the CLI: an apidoctor command, a flag, an environment variable, the config file. */
const COMMAND = /\bapidoctor\b|\bexport [A-Z_]+=|(^|\s)--[a-z][\w-]*|\b[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]\b|\.apidoctorrc/;

/** Masks what the shared redactor does not know: `api-key:` / `x-api-key:` header values. One function, for the merge. */
function maskHeaderSecrets(text: string): string {
  return text.replace(
    /\b((?:x-)?api[-_]?key["']?\s*[:=]\s*["']?)([^\s"',;]{6,})/gi,
    (_m, name: string, v: string) => `${name}${v.slice(0, 3)}…`,
  );
}

function redactDeep<T>(v: T, r: Redactor): T {
  // Server text reaches an app's log or terminal through what this returns: no raw escape sequence either.
  if (typeof v === 'string') return neutralize(maskHeaderSecrets(r.redact(v))) as T;
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, r)) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = redactDeep(x, r);
    return out as T;
  }
  return v;
}

/** An error object read: the structured fields first, what its messages say for the rest. */
function readObject(input: object, opts: DiagnoseOptions, headers: Record<string, string>): TextReading {
  const o = readErrorObject(input);
  const text = [o.name && o.message ? `${o.name}: ${o.message}` : o.message, causeMessages(input)].filter(Boolean).join('\n');
  const parts = readFreeText(text, { status: opts.status });
  parts.headers = { ...parts.headers, ...o.headers, ...headers };
  const status = opts.status ?? o.status;
  if (status !== undefined) {
    if (parts.status !== status) parts.sources = parts.sources.filter((s) => !s.startsWith('status '));
    if (opts.status === undefined) parts.sources.unshift(`status ${status} from the error’s ${o.statusFrom}`);
    parts.status = status;
    parts.networkCode = undefined;
    parts.sources = parts.sources.filter((s) => !s.startsWith('network failure'));
  }
  if (o.body !== undefined) {
    parts.body = o.body;
    parts.sources = parts.sources.filter((s) => !s.startsWith('body '));
    parts.sources.push(`body from the error’s ${o.bodyFrom}`);
  }
  if (status === undefined && o.networkCode) {
    parts.networkCode = o.networkCode;
    parts.networkMessage = innermostMessage(input);
    parts.sources = [
      `network failure ${o.networkCode} from the error’s code`,
      ...parts.sources.filter((s) => !s.startsWith('network failure')),
    ];
  }
  if (o.host) parts.host = o.host;
  parts.text = [text, parts.body?.slice(0, 65_536), o.host].filter(Boolean).join('\n');
  return readingFromParts(parts);
}

/**
 * Diagnoses an error an app caught: exactly one diagnosis, redacted, never throws. See AppDiagnosis for
 * what comes back beside the CLI's Diagnosis.
 */
export function diagnose(input: unknown, options: DiagnoseOptions = {}): AppDiagnosis {
  const opts = options ?? {};
  const redactor = new Redactor();
  for (const s of opts.secrets ?? []) redactor.add(s);
  const headers = headersOf(opts.headers);
  let reading: TextReading;
  try {
    if (typeof input === 'string') reading = readErrorText(input, { status: opts.status, headers });
    else if (input instanceof Uint8Array) reading = readErrorText(Buffer.from(input).toString('utf8'), { status: opts.status, headers });
    else if (input && typeof input === 'object') reading = readObject(input, opts, headers);
    else reading = readErrorText(String(input), { status: opts.status, headers });
  } catch {
    reading = readErrorText('', { status: opts.status, headers });
  }
  const ctx = { now: opts.now };
  const d = diagnoseFailure(reading.failure, ctx);
  let retryAfterSec: number | undefined;
  try {
    retryAfterSec = buildFacts(reading.failure, ctx).retryAfterSec;
  } catch {
    retryAfterSec = undefined;
  }
  const result: AppDiagnosis = {
    ...d,
    advice: d.remedies.filter((r) => !COMMAND.test(r)),
    commands: d.remedies.filter((r) => COMMAND.test(r)),
    ...(retryAfterSec !== undefined && Number.isFinite(retryAfterSec) ? { retryAfterMs: Math.round(retryAfterSec * 1000) } : {}),
    sources: reading.sources,
  };
  return redactDeep(result, redactor);
}

export default diagnose;
