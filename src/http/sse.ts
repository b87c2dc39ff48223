import { noteSseEvent, type SseFacts } from '../diagnosis/sse.js';

/** One server-sent event. */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * An incremental SSE parser: feed text as it arrives, get whole events back. Whether the stream ended
 * and which event was an error is judged by the diagnosis engine's own reader (noteSseEvent), so that
 * `call` and `diagnose()` never disagree about a stream.
 */
export class SseParser {
  private buffer = '';
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
    this.buffer += text.replace(/\r\n?/g, '\n');
    const events: SseEvent[] = [];
    let idx: number;
    while ((idx = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, idx);
      this.buffer = this.buffer.slice(idx + 2);
      const ev = parseBlock(block);
      if (ev) events.push(this.note(ev));
    }
    // Keep memory bounded on a stream that never sends a blank line.
    if (this.buffer.length > 1024 * 1024) this.buffer = this.buffer.slice(-1024 * 1024);
    return events;
  }

  /** Flushes a last event that had no blank line after it. */
  end(): SseEvent[] {
    const ev = parseBlock(this.buffer);
    this.buffer = '';
    return ev ? [this.note(ev)] : [];
  }

  private note(ev: SseEvent): SseEvent {
    const hadError = this.facts.error !== undefined;
    noteSseEvent(ev.event, ev.data, this.facts);
    if (!hadError && this.facts.error !== undefined) this.errorEvent = ev;
    return ev;
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  }
  if (data.length === 0 && event === undefined) return undefined;
  return { event, data: data.join('\n') };
}
