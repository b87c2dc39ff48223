import type { Attempt, Diagnosis } from '../core/types.js';
import { printDiagnosis, attemptsLine } from './diagnosis.js';
import { jsonTextSafe } from './sanitize.js';
import { report, type Reporters } from './reporter.js';

/** What `call` got, as its reporter reads it. */
export type CallView =
  /** A complete event stream, already written as it arrived. */
  | { kind: 'stream'; events: number }
  | {
      kind: 'answer';
      /** The body was written as it arrived (--stream): nothing is left to show but the retries. */
      streamed: boolean;
      include: boolean;
      status: number;
      headers: Record<string, string>;
      body: string;
      /** The parsed JSON body, when it was JSON. */
      data: unknown;
      attempts: Attempt[];
    }
  | { kind: 'failure'; include: boolean; status?: number; headers: Record<string, string>; body?: string; diagnosis: Diagnosis };

/** The status line and headers, as curl -i shows them. */
export function statusBlock(status: number, headers: Record<string, string>): string {
  return `HTTP ${status}\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n\n`;
}

/** Indented JSON for a terminal; undefined when the value nests too deep to stringify (the raw body is printed then). */
function prettyJson(data: unknown): string | undefined {
  try {
    return JSON.stringify(data, null, 2);
  } catch {
    return undefined;
  }
}

/** call's one reporter: the answer's body on stdout (indented on a terminal), or the diagnosis on stderr. */
export const CALL_REPORTERS: Reporters<CallView> = {
  text: (v, env) =>
    report(env, (o) => {
      if (v.kind === 'stream') return o.debug(`stream complete: ${v.events} events, and its end marker`);
      if (v.kind === 'failure') {
        if (v.include && v.status !== undefined) o.out(statusBlock(v.status, v.headers) + (v.body ?? '') + '\n');
        return printDiagnosis(o, v.diagnosis);
      }
      if (v.streamed) return; // already written as it arrived, status block first
      if (v.include) o.out(statusBlock(v.status, v.headers));
      const pretty = env.stdoutIsTTY && v.data !== undefined ? prettyJson(v.data) : undefined;
      // A JSON body stays JSON (| jq): what a terminal would act on as \uXXXX escapes, not neutralize's \x9b.
      const body = v.data !== undefined ? jsonTextSafe(v.body) : v.body;
      if (pretty !== undefined) o.out(jsonTextSafe(pretty) + '\n');
      else o.out(body.endsWith('\n') || body === '' ? body : body + '\n');
      if (v.attempts.length > 1)
        o.err(`${o.style.ok(o.style.symbols.pass)} succeeded after ${v.attempts.length} attempts: ${attemptsLine(v.attempts)}\n`);
    }),
};
