/**
 * Every scan of outside text runs in linear time: each secret pattern, and the diagnosis engine, fed its
 * worst case (long runs of the characters a pattern repeats, with the character it then needs missing)
 * at the largest size the program accepts. A pattern that backtracks takes seconds on 20 KB and hours on
 * MiBs (the old JWT pattern: 892 s on a 1 MiB body), so the bounds below, generous for a shared 2-core
 * machine, cannot be met by a quadratic scan.
 */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import { diagnose } from '../../src/diagnosis/engine.js';
import { fillFromBody, parseSavedResponse } from '../../src/diagnosis/failure.js';
import { MAX_BODY_BYTES, MAX_ERROR_BYTES } from '../../src/http/client.js';
import type { Failure } from '../../src/core/types.js';

const KEY = 'ms-test0good0key0a1b2c3d4e5f6a7b8c9';

/** Text of about `bytes` characters made of `unit` repeated. */
const fill = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));

function timed<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

/** The worst case of each pattern the redactor runs: one long run, or a run restarted every few characters. */
const WORST: Record<string, string> = {
  'JWT: eyJ- repeated (the old pattern tried every eyJ)': 'eyJ-',
  'JWT: first segment with no second': 'eyJaaaaaaaaaaaaa',
  'JWT: two segments, no third': 'eyJaaaaaaaaa.aaaaaaaa',
  'ms-/mk- key runs': 'ms-',
  'ms- key restarted by a digit': '1ms-',
  'sk- runs': 'sk-',
  'AIza runs': 'AIza',
  'msk_/ms_live_ runs': 'ms_live_',
  'Bearer followed by spaces': 'Bearer      ',
  'api-key fields': 'x-api-key: ',
  'escaped runs \\u00XX': '\\u0041',
  'escaped runs, doubled backslashes': '\\\\\\\\',
  'escaped runs %XX': '%41',
  'escaped runs &#NN;': '&#65;',
  'a cut key head over and over': KEY.slice(0, 14),
  'a cut key tail over and over': KEY.slice(-13),
  'placeholder-like A_B_C': 'A_',
};

describe('linear time: the redactor', () => {
  const r = new Redactor();
  r.add(KEY);
  r.add('mk-test0billing00d4e5f6a7b8c9d0e1f2');

  it.each(Object.entries(WORST))('%s, at the error body cap (1 MiB): linear time (under 3 s)', (_name, unit) => {
    const text = fill(unit, MAX_ERROR_BYTES);
    const { ms } = timed(() => r.redact(text));
    expect(ms).toBeLessThan(3000); // quadratic would be minutes; the slack is for a busy CI machine
  });

  // A success body up to the cap (MAX_BODY_BYTES) is printed by `call` (and redacted on its way); a
  // streamed one line by line (64 KiB at most). One long run is the case that used to be quadratic or to
  // overflow the regular expression stack; it must stay seconds, not hours, and never throw.
  it.each(['eyJ-', 'ms-a', 'Bearer a', 'AIzaa', '\\u0041', 'eyJaaaaaaaaa.'])(
    'one run of %j at the success body cap (16 MiB): no throw, under 10 s',
    (unit) => {
      const text = fill(unit, MAX_BODY_BYTES);
      const { ms, value } = timed(() => r.redact(text));
      expect(value.length).toBeGreaterThan(0);
      expect(ms).toBeLessThan(10_000);
    },
    60_000,
  );
});

describe('linear time: the diagnosis engine on bodies at the cap', () => {
  // Fragments of what the engine's patterns look for, repeated to the cap with what would complete them missing.
  const fragments = [
    '{"error":',
    '{"error":{"message":"',
    '"',
    '\\"',
    '{',
    '[',
    '<',
    '<html><title>',
    '<!--',
    'status ',
    'Error code: ',
    '429 ',
    'HTTP/1.1 4',
    'error ',
    'rate limit ',
    'quota ',
    'Retry-After: ',
    'a ',
    ' ',
    '\n',
    'data: ',
    'data: {',
    'eyJ-',
    'insufficient_',
    'context size ',
    'invalid token ',
    "{'error': {'message': '",
    '{ error: { message: ',
    '=>',
    'map[',
  ];
  const statuses = [400, 401, 403, 429, 500, 502, 200];

  // 5 s: the slowest (a 1 MiB run of `[`) takes about 1.7 s on an idle 2-core machine, and 4× for 4× the size.
  it('diagnose() of each adversarial body (1 MiB) under each status: under 5 s each', () => {
    let worst = 0;
    for (const frag of fragments) {
      const body = fill(frag, MAX_ERROR_BYTES);
      for (const status of statuses) {
        const f: Failure = {
          kind: 'http',
          status,
          headers: { 'content-type': status === 502 ? 'text/html' : 'application/json' },
          body,
          attempts: [],
        };
        const { ms, value } = timed(() => diagnose(fillFromBody(f)));
        expect(value.id).toBeTruthy();
        worst = Math.max(worst, ms);
        expect(ms, `${JSON.stringify(frag)} under ${status}`).toBeLessThan(5000);
      }
    }
    expect(worst).toBeLessThan(5000);
  }, 120_000);

  it('explain reads a saved response of each adversarial kind at 8 MiB in linear time (under 10 s each)', () => {
    for (const frag of ['HTTP/1.1 400 Bad\r\n', 'a: b\r\n', '{"error":', '<', 'eyJ-', '\r\n']) {
      const text = fill(frag, 8 * 1024 * 1024);
      const { ms } = timed(() => {
        const saved = parseSavedResponse(text);
        return diagnose(fillFromBody({ kind: 'http', status: saved.status, headers: saved.headers ?? {}, body: saved.body, attempts: [] }));
      });
      expect(ms, JSON.stringify(frag)).toBeLessThan(10_000);
    }
  }, 120_000);
});
