import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a build script in plain JavaScript, without types
import { asciiOnly, asModuleFunction } from '../../scripts/startup/ascii.mjs';

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

describe('asModuleFunction: dist/run.cjs is a module, and a script whose value is the module', () => {
  const frame = asModuleFunction as (code: string) => string;
  const code = 'module.exports.answer = [this === exports, typeof require, __filename];';

  it('required (Node 22 and later), it runs as any CommonJS module would', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'apidoctor-frame-')), 'run.cjs');
    writeFileSync(file, `// build 0123456789abcdef\n${frame(code)}`);
    expect(createRequire(import.meta.url)(file).answer).toEqual([true, 'function', file]);
  });

  it('compiled as a script (the Node 20 launcher, with its code cache), its value is the function, run by nobody yet', async () => {
    const { Script } = await import('node:vm');
    const fn = new Script(frame(code)).runInThisContext() as (...a: unknown[]) => void;
    expect(typeof fn).toBe('function');
    const m = { exports: {} as { answer?: unknown } };
    fn.call(m.exports, m.exports, () => undefined, m, '/x/run.cjs', '/x');
    expect(m.exports.answer).toEqual([true, 'function', '/x/run.cjs']);
  });

  it('the launcher knows the frame it checks for before compiling the bundle that way', async () => {
    const { readFileSync } = await import('node:fs');
    const launcher = readFileSync(new URL('../../bin/apidoctor.js', import.meta.url), 'utf8');
    const opening = /const MODULE_FUNCTION =\s*("[^\n]*");/.exec(launcher)?.[1];
    expect(opening).toBeDefined();
    expect(frame(code).startsWith(JSON.parse(opening!) as string)).toBe(true);
  });
});
