/**
 * Fuzz: the body normaliser (parseBody, fillFromBody, parseSavedResponse) and diagnose() over any
 * status, any headers and any body. Always exactly one diagnosis with a catalogued id and an exit
 * category, never a throw — and never by way of the engine's last-resort fallback, which would hide
 * a crash in the rules behind a vaguer answer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Category, DiagnoseContext, Failure } from '../../src/core/types.js';
import { CATALOG, DIAGNOSIS_IDS, diagnose, matchRule } from '../../src/diagnosis/engine.js';
import { buildFacts } from '../../src/diagnosis/facts.js';
import { parseBody } from '../../src/diagnosis/envelope.js';
import { failureFromSaved, fillFromBody, parseSavedResponse } from '../../src/diagnosis/failure.js';
import { renderDiagnosis } from '../../src/render/diagnosis.js';
import { PLAIN } from '../../src/render/style.js';
import { EXIT_CODES } from '../../src/core/exit.js';
import { FUZZ_SEED, NETWORK_CODES, bodyArb, headersArb, hugeBodyArb, statusArb, wildStatusArb } from './arbitraries.js';

const CATEGORIES = Object.keys(EXIT_CODES).filter((r) => !['ok', 'usage', 'interrupted'].includes(r)) as Category[];
/** Per call: a generous bound for a 2-core machine shared with other suites; a catastrophic regex takes seconds to minutes. */
const SLOW_MS = 1000;

/** Counts what each property ran, for the report at the end of the file. */
const ran: Record<string, number> = {};

const failureArb: fc.Arbitrary<Failure> = fc.record({
  kind: fc.constantFrom('http' as const, 'network' as const, 'stream' as const),
  status: wildStatusArb,
  headers: headersArb,
  body: fc.option(bodyArb, { nil: undefined }),
  bodyTruncated: fc.option(fc.boolean(), { nil: undefined }),
  attempts: fc.array(
    fc.record({ n: fc.nat(9), status: fc.option(statusArb, { nil: undefined }), timings: fc.record({ totalMs: fc.nat() }) }),
    { maxLength: 3 },
  ),
  networkCode: fc.option(fc.oneof(fc.constantFrom(...NETWORK_CODES), fc.string({ maxLength: 20 })), { nil: undefined }),
  networkMessage: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
  method: fc.option(fc.constantFrom('GET', 'POST', 'DELETE'), { nil: undefined }),
  endpoint: fc.option(fc.constantFrom('/v1/models', '/v1/chat/completions', '/api/balance', '/api/keys', '/api/keys/3', '/elsewhere'), {
    nil: undefined,
  }),
  streamCut: fc.option(fc.boolean(), { nil: undefined }),
  unexpectedBody: fc.option(fc.constantFrom('not-json' as const, 'bad-shape' as const), { nil: undefined }),
});

const ctxArb: fc.Arbitrary<DiagnoseContext> = fc.record(
  {
    keyKind: fc.constantFrom('proxy' as const, 'billing' as const, 'jwt' as const, 'foreign' as const, 'unknown' as const),
    keyRole: fc.constantFrom('apiKey' as const, 'billingKey' as const),
    hasBillingKey: fc.boolean(),
    followUp: fc.record(
      {
        balance: fc.oneof(fc.double(), fc.constantFrom(0, -5, 0.5, 100)),
        balanceError: fc.string({ maxLength: 20 }),
        keyRecord: fc.option(
          fc.record({
            id: fc.integer(),
            prefix: fc.string({ maxLength: 12 }),
            active: fc.boolean(),
            expiresAt: fc.option(
              fc.oneof(
                fc.string(),
                fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'not a date' : d.toISOString())),
              ),
              { nil: undefined },
            ),
          }),
          { nil: null },
        ),
      },
      { requiredKeys: [] },
    ),
    model: fc.string({ maxLength: 20 }),
    now: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constant(Number.NaN)),
  },
  { requiredKeys: [] },
);

/** Everything the contract promises of one diagnosis. */
function checkDiagnosis(failure: Failure, ctx: DiagnoseContext): void {
  // The facts and the rule are computed outside diagnose()'s safety net: a throw here is a bug the net would hide.
  buildFacts(failure, ctx);
  matchRule(failure, ctx);
  const t = performance.now();
  const d = diagnose(failure, ctx);
  const took = performance.now() - t;
  expect(took, 'diagnose() took too long').toBeLessThan(SLOW_MS);
  expect(DIAGNOSIS_IDS).toContain(d.id);
  expect(CATEGORIES).toContain(d.category);
  if (d.id !== 'key.wrong-kind') expect(d.category).toBe(CATALOG[d.id as keyof typeof CATALOG].category);
  expect(d.notes.join('\n')).not.toMatch(/could not read this answer fully/);
  expect(d.title.length).toBeGreaterThan(0);
  expect(d.remedies.length).toBeGreaterThan(0);
  for (const r of d.remedies) expect(typeof r).toBe('string');
  expect(typeof d.retryable).toBe('boolean');
  // What the CLI does with it next must not throw either.
  expect(typeof renderDiagnosis(d, PLAIN)).toBe('string');
  expect(() => JSON.parse(JSON.stringify(d))).not.toThrow();
}

describe('fuzz: the normaliser and diagnose() over hostile responses', () => {
  it('any failure, any context: one well-formed diagnosis, no fallback, bounded time', () => {
    fc.assert(
      fc.property(failureArb, ctxArb, (failure, ctx) => {
        ran.diagnose = (ran.diagnose ?? 0) + 1;
        checkDiagnosis(failure, ctx);
        // As the client hands it over: fields filled from the body first.
        checkDiagnosis(fillFromBody(failure), ctx);
      }),
      { seed: FUZZ_SEED, numRuns: 1500 },
    );
  });

  it('parseBody reads any body with any headers into one shape', () => {
    fc.assert(
      fc.property(bodyArb, headersArb, (body, headers) => {
        ran.parseBody = (ran.parseBody ?? 0) + 1;
        const p = parseBody(body, headers);
        expect(['json', 'html', 'text', 'sse', 'empty', 'binary']).toContain(p.format);
        expect(typeof p.hasError).toBe('boolean');
        expect(Array.isArray(p.reasons)).toBe(true);
        expect(p.length).toBe(body.length);
        for (const v of [p.errorType, p.code, p.message, p.requestId]) if (v !== undefined) expect(typeof v).toBe('string');
        if (p.status !== undefined) expect(p.status >= 100 && p.status <= 599).toBe(true);
      }),
      { seed: FUZZ_SEED, numRuns: 1500 },
    );
  });

  it('explain’s reader: any `curl -i` text, captured JSON or bare body gives a diagnosis', () => {
    const curlArb = fc
      .record({
        version: fc.constantFrom('1.1', '2', '1.0'),
        status: statusArb,
        headers: headersArb,
        body: bodyArb,
        crlf: fc.boolean(),
        cont: fc.boolean(),
      })
      .map(({ version, status, headers, body, crlf, cont }) => {
        const nl = crlf ? '\r\n' : '\n';
        const head = `HTTP/${version} ${status} X${nl}${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join(nl)}${nl}${nl}`;
        return (cont ? `HTTP/1.1 100 Continue${nl}${nl}` : '') + head + body;
      });
    const capturedArb = fc
      .record({
        status: fc.oneof(statusArb, fc.string({ maxLength: 4 })),
        headers: fc.oneof(headersArb, fc.constant(null)),
        body: fc.oneof(bodyArb, fc.jsonValue({ maxDepth: 3 })),
      })
      .map((o) => JSON.stringify(o));
    fc.assert(
      fc.property(fc.oneof(curlArb, capturedArb, bodyArb), fc.option(statusArb, { nil: undefined }), (text, status) => {
        ran.explain = (ran.explain ?? 0) + 1;
        const saved = parseSavedResponse(text, { status });
        expect(typeof saved.body).toBe('string');
        checkDiagnosis(failureFromSaved(saved), {});
      }),
      { seed: FUZZ_SEED, numRuns: 800 },
    );
  });

  it('huge bodies (1–2 MiB) of every kind are read in bounded time', () => {
    fc.assert(
      fc.property(
        hugeBodyArb,
        statusArb,
        fc.constantFrom('application/json', 'text/html', 'text/event-stream', 'text/plain', ''),
        (body, status, ct) => {
          ran.huge = (ran.huge ?? 0) + 1;
          const failure: Failure = {
            kind: 'http',
            status,
            headers: ct ? { 'content-type': ct } : {},
            body,
            bodyTruncated: true,
            attempts: [],
          };
          checkDiagnosis(fillFromBody(failure), {});
          checkDiagnosis(failureFromSaved(parseSavedResponse(body)), {});
        },
      ),
      { seed: FUZZ_SEED, numRuns: 16 },
    );
  });

  it('reports how many cases it ran', () => {
    // Printed so that CI logs say what the fuzz covered (the suite's report quotes these numbers).
    console.log(
      `fuzz (seed ${FUZZ_SEED}): ${Object.entries(ran)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    expect(Object.values(ran).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
