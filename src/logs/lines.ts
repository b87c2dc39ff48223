/**
 * Text chunks → lines, in bounded memory: a line longer than MAX_LINE keeps only its first MAX_LINE
 * characters (the rest is skipped up to its newline, and the line is marked cut), so a 10 MB line or
 * a file with no newline at all costs MAX_LINE of memory, not its size.
 */

/** The longest line kept whole; longer lines keep their head. */
export const MAX_LINE = 64 * 1024;

export class LineSplitter {
  private partial = '';
  private partialCut = false;
  constructor(private readonly onLine: (line: string, cut: boolean) => void) {}

  /** Feeds decoded text; calls onLine for every complete line (without its \n or \r\n). */
  push(text: string): void {
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) break;
      let line: string;
      let cut = this.partialCut;
      if (this.partial !== '' || cut) {
        line = cut ? this.partial : this.partial + text.slice(pos, Math.min(nl, pos + MAX_LINE));
        if (!cut && nl - pos + this.partial.length > MAX_LINE) {
          line = line.slice(0, MAX_LINE);
          cut = true;
        }
        this.partial = '';
        this.partialCut = false;
      } else if (nl - pos > MAX_LINE) {
        line = text.slice(pos, pos + MAX_LINE);
        cut = true;
      } else {
        line = text.slice(pos, nl);
      }
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.onLine(line, cut);
      pos = nl + 1;
    }
    if (pos < text.length) {
      if (this.partialCut) return;
      const rest = text.length - pos;
      if (this.partial.length + rest > MAX_LINE) {
        this.partial = (this.partial + text.slice(pos, pos + MAX_LINE)).slice(0, MAX_LINE);
        this.partialCut = true;
      } else {
        this.partial += text.slice(pos);
      }
    }
  }

  /** True when an unfinished line is held (text after the last newline). */
  get pending(): boolean {
    return this.partial !== '' || this.partialCut;
  }

  /** Ends the input: the unfinished last line, if any, is a line. */
  end(): void {
    if (!this.pending) return;
    const line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
    const cut = this.partialCut;
    this.partial = '';
    this.partialCut = false;
    this.onLine(line, cut);
  }
}
