/** The failure pipeline's single homes: one Retry-After reading, one parse of a body, one follow-up decision. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideRetry } from '../../src/http/retry.js';
import { retryAfterOf } from '../../src/http/retry-after.js';
import { toFailure } from '../../src/http/failure.js';
import { parseBody, parseCount } from '../../src/diagnosis/envelope.js';
import { readErrorText } from '../../src/readers/index.js';
import { diagnose, isRetryable } from '../../src/diagnosis/engine.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { diagnoseWithFollowUp, followUpFor, type FollowUpSource } from '../../src/api/diagnose-failure.js';
import type { Failure, FollowUpEvidence } from '../../src/core/types.js';

const base = { nowMs: 0, waitedMs: 0, random: () => 0, retries: 3 };

describe('Retry-After, read in one place', () => {
  it('the retry policy honours retry-after-ms, and it wins over Retry-After', () => {
    expect(decideRetry({ ...base, status: 429, failureIndex: 0, retryAfterMs: '1500' })).toMatchObject({
      retry: true,
      waitMs: 1500,
      note: 'retry-after-ms: 1500',
    });
    expect(decideRetry({ ...base, status: 429, failureIndex: 0, retryAfter: '7', retryAfterMs: '250' })).toMatchObject({
      retry: true,
      waitMs: 250,
    });
    const long = decideRetry({ ...base, status: 503, failureIndex: 0, retryAfterMs: '90000' });
    expect(long.retry).toBe(false);
    expect(long.note).toMatch(/retry-after-ms: 90000/);
  });
  it('the diagnosis reads the same header the same way', () => {
    const f = toFailure({ kind: 'http', status: 429, headers: { 'Retry-After-Ms': '1500' }, body: '{"error":{"message":"slow down"}}' });
    expect(retryAfterOf(f.headers, 0)).toMatchObject({ ms: 1500, header: 'retry-after-ms' });
    expect(diagnose(f).notes.join(' ')).toMatch(/1\.5 s \(retry-after-ms\)/);
  });
});

describe('a body is parsed once', () => {
  it('a failure’s body is read once: its reading travels with its headers', () => {
    const body = JSON.stringify({ error: { message: 'x'.repeat(1000), type: 'server_error' } });
    const headers = { 'content-type': 'application/json' };
    const first = parseBody(body, headers);
    expect(parseBody(body, headers)).toBe(first);
    expect(parseBody(body, { 'content-type': 'text/plain' })).not.toBe(first);
  });

  it('explain’s path, from the text to the diagnosis, parses a 2 MB body once', () => {
    const big = JSON.stringify({
      error: { message: 'You exceeded your current quota. '.repeat(64_000), type: 'insufficient_quota', code: 'insufficient_quota' },
    });
    for (const input of [big, `HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n\r\n${big}`]) {
      const before = parseCount.bodies;
      const reading = readErrorText(input, { status: 429 });
      const d = diagnose(reading.failure, {});
      expect(d.id).toBe('balance.insufficient');
      expect(parseCount.bodies - before).toBe(1);
    }
  });
});

describe('retries ask a cheap isRetryable, which agrees with the diagnosis', () => {
  const cases: Failure[] = [
    toFailure({ kind: 'http', status: 429, headers: {}, body: '{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}' }),
    toFailure({
      kind: 'http',
      status: 429,
      headers: {},
      body: '{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}',
    }),
    toFailure({ kind: 'http', status: 503, headers: {}, body: '<html><title>503 Service Unavailable</title></html>' }),
    toFailure({ kind: 'http', status: 500, headers: {}, body: '{"error":{"message":"prompt is too long: maximum context length"}}' }),
  ];
  it.each(cases.map((f, i) => [i, f] as const))('case %i', (_i, f) => {
    expect(isRetryable(f, { keyRole: 'apiKey' })).toBe(diagnose(f, { keyRole: 'apiKey' }).retryable);
  });
  it('a used-up quota behind a 429 is not retried, a plain rate limit is', () => {
    expect(isRetryable(cases[0]!)).toBe(true);
    expect(isRetryable(cases[1]!)).toBe(false);
  });
});

describe('the 402/403 follow-up is decided in one place and asked once', () => {
  it('applies to the proxy key’s 402/403 and the billing key’s 401/403 from /api/balance only', () => {
    expect(followUpFor({ status: 403, endpoint: '/v1/models' }, 'apiKey')).toBe('refusal');
    expect(followUpFor({ status: 402, endpoint: '/v1/chat/completions' }, 'apiKey')).toBe('refusal');
    expect(followUpFor({ status: 401, endpoint: '/v1/models' }, 'apiKey')).toBeUndefined();
    expect(followUpFor({ status: 403, endpoint: '/api/keys' }, 'billingKey')).toBeUndefined();
    expect(followUpFor({ status: 401, endpoint: '/api/balance' }, 'billingKey')).toBe('billingRefusal');
    expect(followUpFor({ status: 403, endpoint: '/gateway/api/balance?x=1' }, 'billingKey')).toBe('billingRefusal');
    expect(followUpFor({ status: 500, endpoint: '/api/balance' }, 'billingKey')).toBeUndefined();
  });

  it('asks the source once for a 403, never for a 401, and the evidence decides the diagnosis', async () => {
    const config = await resolveConfig(
      { apiKey: 'ms-ab12cdef3456ghij7890klmn9f3c', billingKey: 'mk-ab12cdef3456ghij7890klmn9f3c' },
      {},
      { cwd: mkdtempSync(join(tmpdir(), 'apidoctor-pipeline-')), needs: ['apiKey', 'billingKey', 'baseUrl'] },
    );
    let asked = 0;
    const source: FollowUpSource = { hasBillingKey: true, refusal: async (): Promise<FollowUpEvidence> => (asked++, { balance: 0 }) };
    const refused = toFailure({
      kind: 'http',
      status: 403,
      headers: {},
      body: '{"error":{"message":"Forbidden"}}',
      method: 'GET',
      endpoint: '/v1/models',
    });
    const r = await diagnoseWithFollowUp(config, refused, { role: 'apiKey', source });
    expect(asked).toBe(1);
    expect(r.followUp).toEqual({ balance: 0 });
    expect(r.diagnosis.id).toBe('balance.insufficient');
    const unauthorised = toFailure({
      kind: 'http',
      status: 401,
      headers: {},
      body: '{"error":{"message":"Invalid API key"}}',
      method: 'GET',
      endpoint: '/v1/models',
    });
    await diagnoseWithFollowUp(config, unauthorised, { role: 'apiKey', source });
    expect(asked).toBe(1);
  });
});
