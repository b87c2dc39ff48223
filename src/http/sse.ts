/**
 * Server-sent events framing, the one copy: `field: value` lines, a blank line ends an event, `:` lines are
 * comments. What an event means (the stream's end, an error) is judged in src/diagnosis/sse.ts.
 */

/** One server-sent event. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** The event of one block of lines (the lines between two blank lines), or undefined for a block of comments. */
export function sseEventOf(lines: readonly string[]): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of lines) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value.trim();
  }
  if (data.length === 0 && event === undefined) return undefined;
  return { event, data: data.join('\n') };
}

/** Calls `each` for every event of a whole SSE body, reading at most `maxLines` lines; a last event with no blank line after it counts. */
export function forEachSseEvent(body: string, maxLines: number, each: (ev: SseEvent) => void): void {
  const lines = body.split(/\r\n|\r|\n/, maxLines);
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i < lines.length && lines[i] !== '') continue;
    if (i > start) {
      const ev = sseEventOf(lines.slice(start, i));
      if (ev) each(ev);
    }
    start = i + 1;
  }
}

/** Incremental framing: feed text as it arrives, get whole events back. */
export class SseFramer {
  private buffer = '';

  /** Adds text; returns the events it completed. */
  feed(text: string): SseEvent[] {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const events: SseEvent[] = [];
    let idx: number;
    while ((idx = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, idx);
      this.buffer = this.buffer.slice(idx + 2);
      const ev = sseEventOf(block.split('\n'));
      if (ev) events.push(ev);
    }
    // Keep memory bounded on a stream that never sends a blank line.
    if (this.buffer.length > 1024 * 1024) this.buffer = this.buffer.slice(-1024 * 1024);
    return events;
  }

  /** Flushes a last event that had no blank line after it. */
  end(): SseEvent[] {
    const ev = sseEventOf(this.buffer.split('\n'));
    this.buffer = '';
    return ev ? [ev] : [];
  }
}
