import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a build script in plain JavaScript, without types
import { asciiOnly } from '../../scripts/startup/ascii.mjs';

// The bundle is made ASCII only (scripts/startup/ascii.mjs) so that V8 reads it as one-byte text. The
// escapes must not change what the code means: a diagnosis rule whose pattern lost its "余额不足" or its
// "…" would stop matching the answers it exists for.
const escape = asciiOnly as (code: string) => string;

/** Evaluates a JavaScript expression (what the bundle would hold). */
const value = (code: string): unknown => new Function(`return (${code});`)();

describe('asciiOnly', () => {
  const cases: Array<[string, string, string[], string[]]> = [
    ['Chinese in a regex', '/余额不足|额度不足/i', ['账户余额不足，请充值', '额度不足'], ['余额', 'balance']],
    ['an ellipsis in a character class', '/^(?:sk|ms|mk)-[xX*.•…]+$/', ['mk-……', 'ms-x•x'], ['ms-abc']],
    ['an escaped non-ASCII character', '/^[\\…\\d]+$/', ['…1…'], ['a']],
    ['an astral character, u flag', '/^😀+$/u', ['😀😀'], ['😀a']],
    ['an astral character in a class, u flag', '/^[😀✗]$/u', ['😀', '✗'], ['\uD83D']],
    ['an astral character, no u flag', '/😀/', ['a😀b'], ['😁']],
  ];
  it.each(cases)('%s means the same escaped', (_name, code, match, miss) => {
    const out = escape(code);
    expect(/^[\x00-\x7f]*$/.test(out)).toBe(true);
    const before = value(code) as RegExp;
    const after = value(out) as RegExp;
    for (const s of [...match, ...miss]) expect(after.test(s), `${out} on ${s}`).toBe(before.test(s));
    for (const s of match) expect(after.test(s)).toBe(true);
  });

  it('keeps strings, templates and identifiers the same', () => {
    const code = '(() => { const café = "✗ — ok"; return `${café} ✓ ${"\\\\…"}`; })()';
    const out = escape(code);
    expect(/^[\x00-\x7f]*$/.test(out)).toBe(true);
    expect(value(out)).toBe(value(code));
  });

  it('leaves ASCII alone', () => {
    const code = 'var a = /\\u2026/.test("x"), b = "\\\\";';
    expect(escape(code)).toBe(code);
  });
});
