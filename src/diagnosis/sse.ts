/** Reads a server-sent-events body: was there an error event, and did the stream finish? */
import { readEnvelope, type EnvelopeFields } from './json-envelope.js';
import { SseFramer, forEachSseEvent, type SseEvent } from '../http/sse.js';
import { parseJson } from '../core/json-depth.js';

/** What an SSE body says about how the stream went. */
export interface SseFacts {
  events: number;
  /** `data: [DONE]` (OpenAI), `message_stop` (Anthropic) or `response.completed` / `response.incomplete` (OpenAI Responses) arrived. */
  done: boolean;
  /** The first error event, read like any error body. */
  error?: EnvelopeFields;
  /** The event name of the error (`error`), if it had one. */
  errorEvent?: string;
}

/** Events that end a stream that went well: Anthropic's message_stop; the Responses API's completed and incomplete (cut by max_output_tokens, on purpose). */
const ENDS: ReadonlySet<string> = new Set(['message_stop', 'response.completed', 'response.incomplete']);

/** A Responses API `response.failed` event: its error sits under response.error ({code, message}). Always an error. */
function failedResponse(json: unknown): EnvelopeFields {
  const r = (json as { response?: { error?: unknown } }).response;
  const env = readEnvelope({ error: r?.error ?? null });
  return { ...env, hasError: true, message: env.message ?? 'the response failed (response.failed, no error given)' };
}

/** Lines past this many are not read (a capped body of tiny events). */
const MAX_LINES = 50_000;

/** True when a body looks like SSE: its first meaningful line is a field (`data:`, `event:`, `id:`, `retry:`) or a comment. */
export function looksLikeSse(body: string): boolean {
  const start = body.trimStart().slice(0, 200);
  return /^(data|event|id|retry):/.test(start) || (/^:/.test(start) && /\n(data|event):/.test(body.slice(0, 4096)));
}

/**
 * Judges one event into `out`: the end of the stream (`[DONE]`, `message_stop`) or the first error
 * event. The one place that decides it, for readSse here and for the incremental parser `call` uses.
 */
export function noteSseEvent(name: string | undefined, data: string, out: SseFacts): void {
  out.events++;
  const text = data.trim();
  if (text === '[DONE]' || (name !== undefined && ENDS.has(name))) {
    out.done = true;
    return;
  }
  let json: unknown;
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      json = parseJson(text);
    } catch {
      json = undefined;
    }
  }
  // The Responses API names its events in the data too (`{"type": "response.completed", …}`), with or without `event:`.
  const type = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && ENDS.has(type)) {
    out.done = true;
    return;
  }
  if (out.error) return;
  const env =
    json === undefined ? undefined : type === 'response.failed' || name === 'response.failed' ? failedResponse(json) : readEnvelope(json);
  if (env?.hasError) {
    out.error = env;
    out.errorEvent = name;
  } else if (name === 'error') {
    out.error = env?.message ? { ...env, hasError: true } : { hasError: true, reasons: [], message: text.slice(0, 1000) || undefined };
    out.errorEvent = name;
  }
}

/** Reads the events of an SSE body (a `data:` line per chunk, blank lines between events). */
export function readSse(body: string): SseFacts {
  const out: SseFacts = { events: 0, done: false };
  // A stream cut mid-event still counts what arrived.
  forEachSseEvent(body, MAX_LINES, (ev) => noteSseEvent(ev.event, ev.data, out));
  return out;
}

/**
 * An incremental SSE reader for `call`: feed text as it arrives, get whole events back. Whether the stream ended
 * and which event was an error is judged by noteSseEvent, as readSse judges a saved body, so that `call` and
 * `diagnose()` never disagree about a stream.
 */
export class SseParser {
  private readonly framer = new SseFramer();
  private readonly facts: SseFacts = { events: 0, done: false };
  /** The first event that carries an error, as it arrived. */
  errorEvent?: SseEvent;

  /** True once the stream's end arrived (`data: [DONE]`, or Anthropic's `message_stop`). */
  get done(): boolean {
    return this.facts.done;
  }

  /** Events seen so far. */
  get count(): number {
    return this.facts.events;
  }

  /** Adds text; returns the events it completed. */
  feed(text: string): SseEvent[] {
    return this.framer.feed(text).map((ev) => this.note(ev));
  }

  /** Flushes a last event that had no blank line after it. */
  end(): SseEvent[] {
    return this.framer.end().map((ev) => this.note(ev));
  }

  private note(ev: SseEvent): SseEvent {
    const hadError = this.facts.error !== undefined;
    noteSseEvent(ev.event, ev.data, this.facts);
    if (!hadError && this.facts.error !== undefined) this.errorEvent = ev;
    return ev;
  }
}
