/**
 * Fuzz: a known key echoed in another encoding (base64, base64url, hex, reversed, JSON-escaped twice)
 * anywhere in any text is masked too; other vendors' secrets are masked with no key configured; the
 * masking's edge cases (a key glued to a word, a short key, a placeholder in advice).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor, redactDiagnosis } from '../../src/core/redact.js';
import { diagnose } from '../../src/diagnosis/engine.js';
import { fillFromBody } from '../../src/diagnosis/failure.js';
import { FUZZ_SEED } from './arbitraries.js';

const keyArb = fc.tuple(fc.constantFrom('ms-', 'mk-', 'sk-', ''), fc.stringMatching(/^[A-Za-z0-9_-]{24,48}$/)).map(([p, b]) => p + b);
const aroundArb = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', ' ', '"', '=', 'key:', 'x', '\n', '{"k":"'));

type Encoding = 'base64' | 'base64url' | 'hex' | 'HEX' | 'reversed' | 'json2';
const encode = (s: string, how: Encoding): string => {
  const b = Buffer.from(s);
  switch (how) {
    case 'base64':
      return b.toString('base64');
    case 'base64url':
      return b.toString('base64url');
    case 'hex':
      return b.toString('hex');
    case 'HEX':
      return b.toString('hex').toUpperCase();
    case 'reversed':
      return [...s].reverse().join('');
    case 'json2':
      return [...s].map((c) => `\\\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  }
};
const ENCODINGS: Encoding[] = ['base64', 'base64url', 'hex', 'HEX', 'reversed', 'json2'];

/** A window of the encoded key longer than anything its masked form or its neighbours show. */
function leak(out: string, key: string, how: Encoding): string | undefined {
  const enc = encode(key, how);
  const w = how === 'hex' || how === 'HEX' ? 18 : how === 'json2' ? 54 : 12;
  const prefixLen = how === 'reversed' ? 0 : how === 'json2' ? 8 * 3 : 0;
  for (let i = prefixLen; i + w <= enc.length - (how === 'reversed' ? 4 : 0); i++)
    if (out.includes(enc.slice(i, i + w))) return enc.slice(i, i + w);
  return undefined;
}

describe('fuzz: encoded echoes of a known key', () => {
  it('base64, base64url, hex, reversed and double-escaped forms, at any offset inside other text, are masked', () => {
    fc.assert(
      fc.property(keyArb, fc.constantFrom(...ENCODINGS), aroundArb, aroundArb, fc.nat(2), (key, how, before, after, pad) => {
        const r = new Redactor();
        r.add(key);
        // Inside a longer encoded text the key's bytes may sit at any of the 3 base64 alignments.
        const text = how.startsWith('base64')
          ? before + encode('x'.repeat(pad) + `{"key":"${key}"}`, how) + after
          : before + encode(key, how) + after;
        const out = r.redact(text);
        expect(leak(out, key, how), out).toBeUndefined();
        expect(r.redact(out)).toBe(out);
      }),
      { seed: FUZZ_SEED, numRuns: 800 },
    );
  });

  it('says which encoding it masked, so the reader knows the server echoed the key', () => {
    const key = 'ms-test0good0key0a1b2c3d4e5f6a7b8c9';
    const r = new Redactor();
    r.add(key);
    expect(r.redact(`token=${Buffer.from(key).toString('base64')}`)).toMatch(/\[base64 of ms-test…b8c9\]/);
    expect(r.redact(`h=${Buffer.from(key).toString('hex')}`)).toMatch(/\[hex of ms-test…b8c9\]/);
    expect(r.redact(`r=${[...key].reverse().join('')}`)).toMatch(/\[reversed of ms-test…b8c9\]/);
  });

  it('text that only looks encoded is left as it was', () => {
    const r = new Redactor();
    r.add('ms-test0good0key0a1b2c3d4e5f6a7b8c9');
    for (const t of ['aGVsbG8gd29ybGQ=', 'deadbeefcafebabe0123456789', 'olleh dlrow', '\\\\u0041\\\\u0042']) expect(r.redact(t)).toBe(t);
  });
});

describe("no key configured (explain of someone else's dump)", () => {
  const r = new Redactor();
  it.each([
    ['key_ms-abcdef1234567890abcd', 'ms-abcdef1234567890abcd'],
    ['1ms-abcdef1234567890abcd', 'ms-abcdef1234567890abcd'],
    ['"apiKey":"mk-abcdef1234567890abcd"', 'mk-abcdef1234567890abcd'],
    ['OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz012345', 'sk-proj-abcdefghijklmnopqrstuvwxyz012345'],
    ['sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789'],
    ['sk-abcdefghijklmnopqrstuvwxyz012345', 'sk-abcdefghijklmnopqrstuvwxyz012345'],
    ['key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW'],
    ['Authorization: Bearer abc123def456ghi789', 'abc123def456ghi789'],
    ['x-api-key: 9f8e7d6c5b4a39281706', '9f8e7d6c5b4a39281706'],
    ['api-key: 9f8e7d6c5b4a39281706', '9f8e7d6c5b4a39281706'],
    ["{'api_key': 'q1w2e3r4t5y6u7i8o9p0'}", 'q1w2e3r4t5y6u7i8o9p0'],
    [
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
  ])('%s: the secret is masked', (text, secret) => {
    const out = r.redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('…');
  });

  it('a placeholder in advice is not a secret: Bearer YOUR_JWT_TOKEN, <token>, $MODELSWITCH_API_KEY stay as written', () => {
    for (const t of [
      'Authorization: Bearer YOUR_JWT_TOKEN',
      'Bearer <token>',
      'Bearer $MODELSWITCH_API_KEY',
      'x-api-key: YOUR_API_KEY',
      'Bearer ${TOKEN}',
      'sk-xxxxxxxxxxxxxxxxxxxxxxxx',
    ]) {
      expect(r.redact(t)).toBe(t);
    }
  });

  it('a key too short to show any of it says how many characters it has', () => {
    const k = new Redactor();
    k.add('ms-abcd');
    expect(k.redact('key ms-abcd refused')).toBe('key ms-… (7 characters) refused');
  });
});

describe('redactDiagnosis: every string of a Diagnosis, for the library', () => {
  it("masks other vendors' secrets and bearer tokens anywhere in it, and leaves the input unchanged", () => {
    const body = JSON.stringify({
      error: {
        message: 'Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz012345. Header was Bearer abc123def456ghi789',
        code: 'invalid_api_key',
      },
    });
    const d = diagnose(fillFromBody({ kind: 'http', status: 401, headers: { 'x-api-key': 'q1w2e3r4t5y6u7i8o9p0' }, body, attempts: [] }));
    const before = JSON.stringify(d);
    const safe = redactDiagnosis(d, new Redactor());
    expect(JSON.stringify(d)).toBe(before);
    const text = JSON.stringify(safe);
    expect(text).not.toContain('abcdefghijklmnopqrstuvwxyz012345');
    expect(text).not.toContain('abc123def456ghi789');
    expect(safe.id).toBe(d.id);
    expect(safe.remedies.length).toBe(d.remedies.length);
  });
});
