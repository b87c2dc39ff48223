import { describe, expect, it } from 'vitest';
import { JsonTooComplex, jsonBoundPassed, MAX_JSON_CONTAINERS, MAX_JSON_DEPTH, parseJson } from '../../src/core/json-depth.js';

const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
/** Whether the brackets (outside strings) open deeper than the bound. */
const tooDeep = (text: string) => jsonBoundPassed(text) === 'depth';

describe('parseJson: JSON.parse with a bound on nesting', () => {
  it('parses JSON nested up to the bound, as JSON.parse does', () => {
    expect(parseJson('{"error":{"message":"x","code":429}}')).toEqual({ error: { message: 'x', code: 429 } });
    expect(tooDeep(nest(MAX_JSON_DEPTH))).toBe(false);
    expect(parseJson(nest(MAX_JSON_DEPTH))).toBeInstanceOf(Array);
  });

  it('refuses, as malformed JSON, a text nested one level past the bound, closed or not', () => {
    expect(tooDeep(nest(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(() => parseJson(nest(MAX_JSON_DEPTH + 1))).toThrow(SyntaxError);
    expect(() => parseJson('{"a":'.repeat(100_000))).toThrow(SyntaxError);
  });

  it('counts brackets only outside strings (escaped quotes minded)', () => {
    const inString = JSON.stringify({ message: '['.repeat(10_000), other: 'say \\"[[[[\\" ' + '{'.repeat(1000) });
    expect(tooDeep(inString)).toBe(false);
    expect(parseJson(inString)).toMatchObject({ message: '['.repeat(10_000) });
    // many levels side by side are not deep
    expect(tooDeep(`[${Array.from({ length: 5000 }, () => '[[1]]').join(',')}]`)).toBe(false);
  });
});

describe('the bound on objects and arrays', () => {
  it('a flat list of more objects than the bound is refused as JsonTooComplex (a SyntaxError), one within it parses', () => {
    const list = (n: number) => `[${Array(n).fill('{}').join(',')}]`;
    expect(() => parseJson(list(MAX_JSON_CONTAINERS + 1))).toThrow(JsonTooComplex);
    expect(() => parseJson(list(MAX_JSON_CONTAINERS + 1))).toThrow(SyntaxError);
    expect(jsonBoundPassed(list(MAX_JSON_CONTAINERS + 1))).toBe('containers');
    expect((parseJson(list(MAX_JSON_CONTAINERS - 1)) as unknown[]).length).toBe(MAX_JSON_CONTAINERS - 1);
  });
  it('brackets inside strings are not counted', () => {
    const text = JSON.stringify({ s: '{}'.repeat(MAX_JSON_CONTAINERS + 10) });
    expect(jsonBoundPassed(text)).toBeUndefined();
    expect((parseJson(text) as { s: string }).s.length).toBe(2 * (MAX_JSON_CONTAINERS + 10));
  });
});
