/**
 * Fuzz: the redactor and the output layer. A key placed anywhere in any text — whole, split across
 * the chunks of a stream, or cut off by a length limit — never comes out readable.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor, redactor } from '../../src/core/redact.js';
import { Output } from '../../src/render/output.js';
import { FUZZ_SEED } from './arbitraries.js';

/** Key-shaped secrets of every kind the redactor must know, and of shapes it cannot guess. */
const keyArb = fc
  .tuple(fc.constantFrom('ms-', 'mk-', 'sk-', 'sk-proj-', ''), fc.stringMatching(/^[A-Za-z0-9_-]{24,48}$/))
  .map(([p, body]) => p + body);

/** Text around a key: anything, including key-ish characters that glue onto it. */
const aroundArb = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('', ' ', '"', 'Bearer ', 'key=', '\n', 'ms-', 'x', '…'));

/** The parts of a key that its masked form never shows: any 9 characters in a row past its first 4. */
function leaks(out: string, key: string): string | undefined {
  const prefix = /^(ms-|mk-|sk-proj-|sk-)/.exec(key)?.[0] ?? '';
  for (let i = prefix.length; i + 9 <= key.length; i++) {
    const window = key.slice(i, i + 9);
    if (out.includes(window)) return window;
  }
  return undefined;
}

/** Captures what an Output writes. */
function capture(): { sink: { write(s: string): boolean }; text(): string } {
  let text = '';
  return { sink: { write: (s: string) => ((text += s), true) }, text: () => text };
}

describe('fuzz: redaction', () => {
  it('a registered key anywhere in any text is masked', () => {
    fc.assert(
      fc.property(keyArb, aroundArb, aroundArb, fc.nat(3), (key, before, after, times) => {
        const r = new Redactor();
        r.add(key);
        const text = before + Array.from({ length: times + 1 }, () => key).join(after) + after;
        const out = r.redact(text);
        expect(leaks(out, key)).toBeUndefined();
        // idempotent: redacting twice changes nothing more
        expect(r.redact(out)).toBe(out);
      }),
      { seed: FUZZ_SEED, numRuns: 600 },
    );
  });

  it('a key cut off by a length limit (…) at its end or its start is still masked', () => {
    fc.assert(
      fc.property(keyArb, aroundArb, fc.nat(), fc.constantFrom('…', '', '...'), fc.boolean(), (key, around, cutAt, ellipsis, atEnd) => {
        const r = new Redactor();
        r.add(key);
        const n = cutAt % key.length;
        const text = atEnd ? around + key.slice(0, n) + ellipsis : ellipsis + key.slice(n) + around;
        const out = r.redact(text);
        expect(leaks(out, key)).toBeUndefined();
        expect(r.redact(out)).toBe(out);
      }),
      { seed: FUZZ_SEED, numRuns: 600 },
    );
  });

  it('a key whose characters a server escaped (JSON \\u00XX, HTML &#NN;, URL %XX) is masked too', () => {
    const escape = (c: string, how: number): string => {
      const code = c.charCodeAt(0);
      if (how === 0) return `\\u00${code.toString(16).padStart(2, '0')}`;
      if (how === 1) return `&#${code};`;
      if (how === 2) return `&#x${code.toString(16)};`;
      return `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
    };
    fc.assert(
      fc.property(keyArb, aroundArb, fc.array(fc.nat(4)), (key, around, hows) => {
        const r = new Redactor();
        r.add(key);
        // escape some characters (how 4 = leave it), at least one
        const escaped = [...key].map((c, i) => ((hows[i] ?? 4) < 4 ? escape(c, hows[i]!) : c)).join('');
        fc.pre(escaped !== key);
        const out = r.redact(`{"error":{"message":"${around}${escaped}${around}"}}`);
        const decoded = out.replace(
          /\\u00([0-9a-f]{2})|&#(\d+);|&#x([0-9a-f]+);|%([0-9A-F]{2})/gi,
          (_m, u?: string, d?: string, x?: string, p?: string) =>
            String.fromCharCode(u ? parseInt(u, 16) : d ? Number(d) : parseInt((x ?? p)!, 16)),
        );
        expect(leaks(decoded, key), out).toBeUndefined();
      }),
      { seed: FUZZ_SEED, numRuns: 500 },
    );
  });

  it('text with escapes that hide no key is left exactly as it was', () => {
    const r = new Redactor();
    r.add('ms-test0good0key0a1b2c3d4e5f6a7b8c9');
    for (const t of ['{"a":"\\u0041\\u0042C"}', 'caf&#233; &amp; 100%25 of %41%42', 'x'.repeat(5000) + '\\u0041' + 'y'.repeat(5000)])
      expect(r.redact(t)).toBe(t);
  });

  it('a listed key prefix (as GET /api/keys shows it) stays readable, a longer piece does not', () => {
    const r = new Redactor();
    const key = 'ms-test0good0key0a1b2c3d4e5f6a7b8c9';
    r.add(key);
    expect(r.redact('#1 Production ms-test0goo active')).toBe('#1 Production ms-test0goo active');
    expect(r.redact('Invalid API key ms-test0good0key0a1b…')).toBe('Invalid API key ms-test…');
    expect(r.redact('…key0a1b2c3d4e5f6a7b8c9 was refused')).toBe('…b8c9 was refused');
  });

  it('a streamed body split into chunks anywhere never prints a key (Output.outChunk)', () => {
    fc.assert(
      fc.property(keyArb, aroundArb, aroundArb, fc.array(fc.nat(), { maxLength: 6 }), (key, before, after, cuts) => {
        redactor.add(key);
        const text = `data: {"choices":[{"delta":{"content":"${before}${key}${after}"}}]}\n\ndata: [DONE]\n\n`;
        const points = [...new Set(cuts.map((c) => c % text.length))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((p, i, all) => text.slice(p, all[i + 1] ?? text.length)).filter(Boolean);
        const stdout = capture();
        const out = new Output(stdout.sink, capture().sink, {});
        for (const c of chunks) out.outChunk(c);
        out.endChunks();
        expect(leaks(stdout.text(), key), `chunks ${JSON.stringify(chunks)}`).toBeUndefined();
        // nothing is lost: masked text is all that changed
        expect(stdout.text()).toBe(redactor.redact(text));
      }),
      { seed: FUZZ_SEED, numRuns: 400 },
    );
  });
});
