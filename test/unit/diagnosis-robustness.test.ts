import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Category, DiagnoseContext, Failure } from '../../src/core/types.js';
import { CATALOG, DIAGNOSIS_IDS, diagnose } from '../../src/diagnosis/engine.js';
import { failureFromSaved, parseSavedResponse } from '../../src/diagnosis/failure.js';

const CATEGORIES: Category[] = ['failed', 'config', 'auth', 'balance', 'rate_limit', 'network', 'timeout', 'server', 'unexpected_response'];

/** Bodies of every sort: JSON envelopes with random fields, pages, streams, noise. */
const bodyArb = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify({ error: v })),
  fc
    .record({ message: fc.string(), type: fc.option(fc.string()), code: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) })
    .map((e) => JSON.stringify({ error: e })),
  fc.string().map((t) => `<html><head><title>${t}</title></head><body><h1>${t}</h1></body></html>`),
  fc.array(fc.string(), { maxLength: 5 }).map((xs) => xs.map((x) => `data: ${x}\n\n`).join('')),
  fc.string().map((t) => `event: error\ndata: {"type":"error","error":{"type":${JSON.stringify(t)}}}\n\n`),
);

const failureArb: fc.Arbitrary<Failure> = fc.record({
  kind: fc.constantFrom('http' as const, 'network' as const, 'stream' as const),
  status: fc.option(fc.integer({ min: -1, max: 1000 }), { nil: undefined }),
  headers: fc.dictionary(
    fc.constantFrom('content-type', 'server', 'cf-ray', 'retry-after', 'location', 'x-request-id', 'cf-mitigated', 'x-vercel-error'),
    fc.string(),
  ),
  body: fc.option(bodyArb, { nil: undefined }),
  attempts: fc.constant([]),
  networkCode: fc.option(fc.oneof(fc.string(), fc.constantFrom('ECONNRESET', 'ENOTFOUND', 'CERT_HAS_EXPIRED', 'UND_ERR_HEADERS_TIMEOUT')), {
    nil: undefined,
  }),
  endpoint: fc.option(fc.constantFrom('/v1/models', '/api/balance', '/api/keys', '/v1/chat/completions'), { nil: undefined }),
  unexpectedBody: fc.option(fc.constantFrom('not-json' as const, 'bad-shape' as const), { nil: undefined }),
});

const ctxArb: fc.Arbitrary<DiagnoseContext> = fc.record(
  {
    keyKind: fc.constantFrom('proxy' as const, 'billing' as const, 'jwt' as const, 'foreign' as const, 'unknown' as const),
    hasBillingKey: fc.boolean(),
    followUp: fc.record(
      {
        balance: fc.double({ noNaN: false }),
        balanceError: fc.string(),
        keyRecord: fc.option(
          fc.record({ id: fc.integer(), prefix: fc.string(), active: fc.boolean(), expiresAt: fc.option(fc.string(), { nil: undefined }) }),
          { nil: null },
        ),
        keysError: fc.string(),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

describe('any response at all yields one well-formed diagnosis', () => {
  it('never throws; the id is catalogued; the category is an exit reason; there is something to do', () => {
    fc.assert(
      fc.property(failureArb, ctxArb, (failure, ctx) => {
        const d = diagnose(failure, ctx);
        expect(DIAGNOSIS_IDS).toContain(d.id);
        expect(CATEGORIES).toContain(d.category);
        // only a wrong kind of key found by the server moves to another class (auth)
        if (d.id !== 'key.wrong-kind') expect(d.category).toBe(CATALOG[d.id as keyof typeof CATALOG].category);
        expect(d.remedies.length).toBeGreaterThan(0);
        expect(d.docs).toMatch(/^https:\/\/docs\.modelswitch\.io/);
        expect(typeof d.retryable).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('a 401 is an auth problem whatever its body', () => {
    fc.assert(
      fc.property(bodyArb, fc.dictionary(fc.constantFrom('content-type', 'server'), fc.string()), (body, headers) => {
        expect(diagnose(failureFromSaved({ status: 401, headers, body })).category).toBe('auth');
      }),
      { numRuns: 500 },
    );
  });

  it('a 5xx HTML page is a server problem whatever its title', () => {
    fc.assert(
      fc.property(fc.integer({ min: 500, max: 599 }), fc.stringMatching(/^[a-z0-9 ]{0,40}$/), (status, title) => {
        const body = `<html><head><title>${title}</title></head><body></body></html>`;
        expect(diagnose(failureFromSaved({ status, headers: { 'content-type': 'text/html' }, body })).category).toBe('server');
      }),
      { numRuns: 500 },
    );
  });

  it('parseSavedResponse reads anything without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `HTTP/1.1 ${s}`),
          fc.json(),
        ),
        (text) => {
          const r = parseSavedResponse(text);
          expect(typeof r.body).toBe('string');
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('hostile bodies are read in linear time', () => {
  const hostile: Record<string, string> = {
    'unclosed script tags': '<html>' + '<script'.repeat(9000),
    'unclosed title tags': '<html>' + '<title>'.repeat(9000),
    'a heading full of "<"': '<html><h1>' + 'x<'.repeat(30000),
    'unclosed message strings': '{"error":' + '"message":"'.repeat(50000),
    'a megabyte of one letter': 'a'.repeat(1 << 20),
    'a hundred thousand SSE events': 'data: x\n'.repeat(100_000),
    'a hundred thousand header lines': 'HTTP/1.1 500 X\n' + 'h: v\n'.repeat(100_000) + '\nbody',
  };
  it.each(Object.entries(hostile))('%s', (_name, text) => {
    const t = performance.now();
    const d = diagnose(failureFromSaved(parseSavedResponse(text, { status: 500 })));
    expect(d.category).toBe('server');
    expect(performance.now() - t).toBeLessThan(5000); // quadratic would be minutes; the slack is for a busy CI machine
  });
});
