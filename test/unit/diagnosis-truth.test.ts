/**
 * Issue 14: every diagnosis true, for the right key. Rules that generalise, each with cases against over-matching.
 * The real samples (with sources) are in test/fixtures/samples and run in diagnosis.test.ts; these are the
 * readings a sample alone does not pin down.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/core/types.js';
import { CATALOG, RULES, diagnose, diagnoseById } from '../../src/diagnosis/engine.js';
import { readSaved } from '../../src/diagnosis/failure.js';
import { identifierWords } from '../../src/diagnosis/facts.js';
import { daysLeftText } from '../../src/api/account.js';
import { failureWhy } from '../../src/checks/api.js';
import { readSse } from '../../src/diagnosis/sse.js';
import { SseParser } from '../../src/diagnosis/sse.js';
import { http, ms } from '../fixtures/diagnosis-cases.js';

const text = (d: Diagnosis): string => [d.title, d.explanation, ...d.notes, ...d.remedies].join('\n');

describe('identifiers carry meaning', () => {
  it('splits snake_case, UPPER_CASE, camelCase, PascalCase, kebab and dotted identifiers into words', () => {
    expect(identifierWords('billing_not_active')).toBe('billing not active');
    expect(identifierWords('INSUFFICIENT_G1_CREDITS_BALANCE')).toBe('insufficient g1 credits balance');
    expect(identifierWords('exceededCurrentQuotaError')).toBe('exceeded current quota error');
    expect(identifierWords('AccountOverdueError')).toBe('account overdue error');
    expect(identifierWords('billing.hard-limit.reached')).toBe('billing hard limit reached');
    // Prose, numbers and single words are left as they are.
    expect(identifierWords('Your account is not active')).toBeUndefined();
    expect(identifierWords('1113')).toBeUndefined();
    expect(identifierWords('FORBIDDEN')).toBeUndefined();
  });

  it.each([
    [400, 'billing_hard_limit_reached', 'balance'],
    [403, 'billing_not_active', 'balance'],
    [429, 'billing_not_active', 'balance'],
    [500, 'INSUFFICIENT_CREDITS_BALANCE', 'balance'],
    [429, 'exceeded_current_quota_error', 'balance'],
  ])('a %i with the code %s is the %s class, never retried', (status, code, category) => {
    const d = diagnose(http(status, JSON.stringify({ error: { code, message: 'Request failed' } })));
    expect(d.category).toBe(category);
    expect(d.retryable).toBe(false);
  });

  it('does not read money into identifiers that do not say it (negatives)', () => {
    for (const [status, code, id] of [
      [429, 'rate_limit_exceeded', 'rate.limited'],
      [429, 'RESOURCE_EXHAUSTED', 'rate.limited'],
      [403, 'insufficient_permissions', 'access.denied'],
      [400, 'invalid_request_error', 'request.invalid'],
      [400, 'billing_address_invalid', 'request.invalid'],
      [403, 'insufficient_permissions_to_view_balance', 'access.denied'],
    ] as const) {
      expect(diagnose(http(status, JSON.stringify({ error: { code, message: 'Request failed' } }))).id, code).toBe(id);
    }
  });

  it('the same prose as the Gemini free tier ("You exceeded your current quota") stays a rate limit without a money identifier', () => {
    const body = JSON.stringify({
      error: {
        code: 429,
        message: 'You exceeded your current quota, please check your plan and billing details.',
        status: 'RESOURCE_EXHAUSTED',
      },
    });
    expect(diagnose(http(429, body)).id).toBe('rate.limited');
  });
});

describe('arrears and recharge in Chinese', () => {
  it.each(['您的账户已欠费，请充值后重试。', '账户欠费，请先充值', '余额已用完，请充值'])('%s on a 429 is the balance', (message) => {
    const d = diagnose(http(429, JSON.stringify({ error: { code: '1113', message } })));
    expect(d.id).toBe('balance.insufficient');
    expect(d.retryable).toBe(false);
  });

  it('a Chinese rate-limit message stays a rate limit (negative)', () => {
    expect(diagnose(http(429, JSON.stringify({ error: { code: '1302', message: '请求过于频繁，请稍后再试' } }))).id).toBe('rate.limited');
    // A rate limit that suggests paying for a higher one is still the rate limit.
    expect(diagnose(http(429, JSON.stringify({ error: { code: '1302', message: '您的请求频率已超出限额，提升限额请充值' } }))).id).toBe(
      'rate.limited',
    );
  });
});

describe('errors inside a 200', () => {
  it('MiniMax base_resp with a non-zero status_code is an error; read by its words', () => {
    const r = readSaved({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"id":"x","choices":null,"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}}',
    });
    expect(r.healthy).toBe(false);
    const d = diagnose(r.failure);
    expect(d.id).toBe('balance.insufficient');
    expect(d.notes.join(' ')).toContain('inside a 200 answer');
  });

  it('MiniMax successes (status_code 0, or a success message beside the result) stay healthy (negatives)', () => {
    const ok = (body: string) => readSaved({ status: 200, headers: { 'content-type': 'application/json' }, body }).healthy;
    expect(ok('{"choices":[{"message":{"content":"hi"}}],"base_resp":{"status_code":0,"status_msg":"success"}}')).toBe(true);
    expect(ok('{"reply":"hi","base_resp":{"status_code":0,"status_msg":""}}')).toBe(true);
    expect(ok('{"base_resp":{"status_code":1,"status_msg":"success"}}')).toBe(true);
    expect(ok('{"choices":[{"message":{"content":"hi"}}],"base_resp":{"status_code":1027,"status_msg":"output sensitive"}}')).toBe(true);
  });

  it('an error nested under detail is an error; a record called detail is not (negative)', () => {
    const bad = readSaved({
      status: 200,
      headers: {},
      body: '{"detail":{"code":"token_expired","message":"Provided authentication token is expired. Please try signing in again."}}',
    });
    expect(bad.healthy).toBe(false);
    expect(diagnose(bad.failure).category).toBe('auth');
    expect(readSaved({ status: 200, headers: {}, body: '{"detail":{"id":7,"name":"gpt-4o"}}' }).healthy).toBe(true);
    expect(readSaved({ status: 200, headers: {}, body: '{"detail":{"code":"ok","message":"fine"},"data":{"id":1}}' }).healthy).toBe(true);
  });
});

describe('OpenAI Responses API streams', () => {
  const completed = [
    'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress"}}\n\n',
    'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":1,"delta":"Hi"}\n\n',
    'event: response.completed\ndata: {"type":"response.completed","sequence_number":2,"response":{"id":"resp_1","status":"completed"}}\n\n',
  ].join('');

  it('a complete Responses stream (response.completed, no data: [DONE]) is healthy, not interrupted', () => {
    expect(readSse(completed).done).toBe(true);
    expect(readSaved({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: completed }).healthy).toBe(true);
    // The data alone names the event, with no event: line.
    expect(readSse(completed.replace(/^event: .*\n/gm, '')).done).toBe(true);
    // `call --stream` judges with the same reader.
    const p = new SseParser();
    p.feed(completed);
    expect(p.done).toBe(true);
    expect(p.errorEvent).toBeUndefined();
  });

  it('a Responses stream cut before response.completed is still interrupted (negative)', () => {
    const cut = completed.split('event: response.completed')[0]!;
    const r = readSaved({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: cut });
    expect(r.healthy).toBe(false);
    expect(diagnose(r.failure).id).toBe('stream.interrupted');
  });

  it('response.failed with no error object is still an error', () => {
    const r = readSaved({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: 'event: response.failed\ndata: {"type":"response.failed","response":{"id":"r","status":"failed","error":null}}\n\n',
    });
    expect(r.healthy).toBe(false);
    expect(diagnose(r.failure).id).not.toBe('stream.interrupted');
  });
});

describe('model gone', () => {
  it.each([
    'Model Not Exist',
    'The model `mixtral-8x7b-32768` has been decommissioned and is no longer supported.',
    'The model gpt-4-32k was retired on 2025-06-06',
  ])('%s → model.not-found', (m) => {
    expect(diagnose(http(400, ms(m))).id).toBe('model.not-found');
  });

  it('a context overflow with a 5xx is a request problem and not retryable', () => {
    const d = diagnose(http(500, ms('Context size has been exceeded.', 'server_error')));
    expect(d).toMatchObject({ id: 'request.invalid', category: 'failed', retryable: false });
  });
});

describe('retryable, family by family', () => {
  it('no rule that reads a balance or quota-of-money problem makes it retryable', () => {
    for (const r of RULES) {
      const category = r.category ?? CATALOG[r.id].category;
      if (category === 'balance') expect(r.retryable ?? CATALOG[r.id].retryable, r.name).toBe(false);
    }
    for (const e of Object.values(CATALOG)) if (e.category === 'balance') expect(e.retryable, e.id).toBe(false);
  });

  it.each([
    [402, ms('Payment required')],
    [429, ms('Insufficient balance', 'insufficient_quota', 'insufficient_quota')],
    [429, '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"x","details":[{"reason":"INSUFFICIENT_G1_CREDITS_BALANCE"}]}}'],
    [500, ms('insufficient balance (1008)', 'api_error')],
    [503, ms('Your credit balance is too low', 'server_error')],
    [403, ms('Budget has been exceeded')],
  ])('a %i balance or budget answer is never retryable', (status, body) => {
    const d = diagnose(http(status, body));
    expect(d.category).toBe('balance');
    expect(d.retryable).toBe(false);
  });
});

describe('advice for the key that failed', () => {
  it('a rejected billing key gets billing-key advice: its variable, Billing Keys, no keys create', () => {
    const d = diagnose(http(401, ms('Invalid API key', 'authentication_error'), {}, { endpoint: '/api/keys', method: 'GET' }), {
      keyRole: 'billingKey',
      keyKind: 'billing',
      hasBillingKey: true,
    });
    const t = text(d);
    expect(d.id).toBe('auth.invalid-key');
    expect(t).toContain('Authorization: Bearer mk-');
    expect(t).toContain('MODELSWITCH_BILLING_KEY');
    expect(t).toContain('Dashboard → Billing Keys');
    expect(t).not.toContain('MODELSWITCH_API_KEY');
    expect(t).not.toMatch(/Bearer ms-/);
    expect(t).not.toMatch(/create a new key \(apidoctor keys create/);
  });

  it('a rejected proxy key gets proxy-key advice (negative: no billing-key words)', () => {
    const t = text(
      diagnose(http(401, ms('Invalid API key', 'authentication_error'), {}, { endpoint: '/v1/models' }), {
        keyRole: 'apiKey',
        keyKind: 'proxy',
      }),
    );
    expect(t).toContain('MODELSWITCH_API_KEY');
    expect(t).toContain('Dashboard → API Keys');
    expect(t).not.toContain('MODELSWITCH_BILLING_KEY');
  });

  it('a malformed billing key is told to come from Billing Keys', () => {
    const t = text(diagnoseById('key.malformed', {}, [], { keyRole: 'billingKey' }));
    expect(t).toContain("export MODELSWITCH_BILLING_KEY='mk-…'");
    expect(t).toContain('Dashboard → Billing Keys');
  });

  it("a foreign key in the billing setting is told where billing keys come from (negative: not the proxy key's page)", () => {
    const t = text(diagnoseById('key.foreign-format', {}, [], { keyRole: 'billingKey' }));
    expect(t).toContain('Create a ModelSwitch billing key (mk-…) in Dashboard → Billing Keys');
    expect(t).toContain("export MODELSWITCH_BILLING_KEY='mk-…'");
    expect(t).not.toContain('MODELSWITCH_API_KEY');
  });

  it('the proxy key not in the key list, from doctor, gets proxy-key advice', () => {
    const t = text(diagnoseById('auth.invalid-key', {}, [], { keyRole: 'apiKey' }));
    expect(t).toContain('Authorization: Bearer ms-…');
    expect(t).toContain('MODELSWITCH_API_KEY');
    expect(t).not.toContain('Billing Keys');
  });

  it('an open 403 with a billing key configured but not asked names explain --probe, not "configure a billing key"', () => {
    const offline = text(
      diagnose(http(403, ms('Forbidden', 'permission_error'), {}, { endpoint: '/v1/chat/completions' }), {
        keyRole: 'apiKey',
        hasBillingKey: true,
      }),
    );
    expect(offline).toContain('apidoctor explain --probe');
    expect(offline).not.toContain('Configure a billing key');
    const none = text(diagnose(http(403, ms('Forbidden', 'permission_error')), { hasBillingKey: false }));
    expect(none).toContain('Configure a billing key');
    // Refused on an account route, the billing key is the refused key: no advice to ask with it (negative).
    const own = text(
      diagnose(http(403, ms('Forbidden', 'permission_error'), {}, { endpoint: '/api/keys' }), {
        keyRole: 'billingKey',
        hasBillingKey: true,
      }),
    );
    expect(own).not.toContain('--probe');
    expect(own).not.toContain('Configure a billing key');
  });

  it('a 400 on an account route gets no chat-completion advice, and its reproduction keeps the method', () => {
    const d = diagnose(http(400, ms('name is required'), {}, { method: 'POST', endpoint: '/api/keys' }));
    const t = text(d);
    expect(t).not.toContain('model and messages are required');
    expect(t).toContain('apidoctor call POST /api/keys --data @req.json');
    // On a chat path, the chat advice stays.
    expect(text(diagnose(http(400, ms('bad'), {}, { method: 'POST', endpoint: '/v1/chat/completions' })))).toContain(
      'model and messages are required',
    );
  });

  it('a 405 on DELETE /v1/models: no chat advice and no POST reproduction', () => {
    const d = diagnose(http(405, ms('Method Not Allowed'), { allow: 'GET' }, { method: 'DELETE', endpoint: '/v1/models' }));
    const t = text(d);
    expect(t).toContain('does not accept DELETE on /v1/models; it allows: GET');
    expect(t).not.toContain('model and messages are required');
    expect(t).not.toContain('call POST');
  });
});

describe('doctor and keys count days alike, and rows say why', () => {
  it('one day count: 2.6 days is "3 days" for both (doctor said 2, keys 3)', () => {
    const days = 2.6;
    expect(daysLeftText(days)).toBe('3 days');
    expect(daysLeftText(Math.round(days * 10) / 10)).toBe(daysLeftText(days));
    expect(daysLeftText(2.449)).toBe(daysLeftText(Math.round(2.449 * 10) / 10));
    expect(daysLeftText(0.4)).toBe('less than a day');
    expect(daysLeftText(1)).toBe('1 day');
  });

  it('a failing row says why: no answer within the timeout, a 200 whose body is not JSON', () => {
    expect(failureWhy({ kind: 'network', headers: {}, attempts: [], networkCode: 'UND_ERR_HEADERS_TIMEOUT' }, 2000)).toBe(
      'no answer within 2.0 s (UND_ERR_HEADERS_TIMEOUT)',
    );
    expect(failureWhy({ kind: 'http', status: 200, headers: {}, attempts: [], unexpectedBody: 'not-json' })).toBe(
      'HTTP 200, but the body is not JSON',
    );
    expect(failureWhy({ kind: 'http', status: 401, headers: {}, attempts: [], message: 'Invalid API key' })).toBe(
      'HTTP 401 "Invalid API key"',
    );
  });
});
