import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Category, Diagnosis } from '../../src/core/types.js';
import { CATALOG, DIAGNOSIS_IDS, RULES, diagnose, diagnoseById, matchRule } from '../../src/diagnosis/engine.js';
import { failureFromSaved } from '../../src/diagnosis/failure.js';
import { CASES, http, ms } from '../fixtures/diagnosis-cases.js';
import { LOCAL_SAMPLES_DIR, SHARED_SAMPLES_DIR } from '../helpers/samples.js';

interface Sample {
  status: number;
  headers: Record<string, string>;
  body: string;
  expectedReason: Category;
  expectedIdFamily: string[];
  retryable: boolean;
}

const readSamples = (dir: string): Array<[string, Sample]> =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(dir + f, 'utf8')) as Sample]);

const sharedSamples = readSamples(SHARED_SAMPLES_DIR);
const localSamples = readSamples(LOCAL_SAMPLES_DIR);
const samples: Array<[string, Sample]> = [...sharedSamples, ...localSamples];

/** Everything a user reads besides the title: notes and remedies. */
const said = (d: Diagnosis): string => [d.explanation, ...d.notes, ...d.remedies].join('\n');

/** The categories the brief maps ids to. */
const REQUIRED: Record<string, Category> = {
  'config.missing-api-key': 'config',
  'config.missing-billing-key': 'config',
  'config.bad-base-url': 'config',
  'key.wrong-kind': 'config',
  'key.swapped': 'config',
  'key.malformed': 'config',
  'key.foreign-format': 'config',
  'key.expiring': 'failed',
  'auth.invalid-key': 'auth',
  'auth.deactivated-key': 'auth',
  'access.denied': 'auth',
  'access.dashboard-token': 'auth',
  'balance.insufficient': 'balance',
  'balance.below-minimum': 'balance',
  'key.spend-limit': 'balance',
  'request.invalid': 'failed',
  'model.not-found': 'failed',
  'resource.not-found': 'failed',
  'http.unexpected-status': 'failed',
  'rate.limited': 'rate_limit',
  'server.error': 'server',
  'provider.error': 'server',
  'service.unavailable': 'server',
  'response.not-json': 'unexpected_response',
  'response.bad-shape': 'unexpected_response',
  'stream.interrupted': 'unexpected_response',
  'network.dns': 'network',
  'network.refused': 'network',
  'network.reset': 'network',
  'network.tls': 'network',
  'network.proxy': 'network',
  'network.timeout': 'timeout',
};

describe('the catalogue', () => {
  it('has unique ids, each keyed by its own id', () => {
    expect(new Set(DIAGNOSIS_IDS).size).toBe(DIAGNOSIS_IDS.length);
    for (const [key, entry] of Object.entries(CATALOG)) expect(entry.id).toBe(key);
    expect(Object.keys(CATALOG).sort()).toEqual([...DIAGNOSIS_IDS].sort());
  });

  it.each(Object.entries(REQUIRED))('%s is present with category %s, a title, an explanation, remedies and a docs URL', (id, category) => {
    const e = CATALOG[id as keyof typeof CATALOG];
    expect(e, id).toBeDefined();
    expect(e.category).toBe(category);
    expect(e.title.length).toBeGreaterThan(10);
    expect(e.explanation.length).toBeGreaterThan(20);
    expect(e.remedies.length).toBeGreaterThanOrEqual(1);
    expect(e.docs).toMatch(/^https:\/\/docs\.modelswitch\.io(\/|$)/);
    expect(typeof e.retryable).toBe('boolean');
  });

  it('network.unreachable, an addition, maps to the network class', () => {
    expect(CATALOG['network.unreachable'].category).toBe('network');
  });

  it('429, 500, 502, 503 are retryable by default; the request and key classes are not', () => {
    for (const id of ['rate.limited', 'server.error', 'provider.error', 'service.unavailable'] as const)
      expect(CATALOG[id].retryable, id).toBe(true);
    for (const id of ['request.invalid', 'auth.invalid-key', 'balance.insufficient', 'model.not-found'] as const)
      expect(CATALOG[id].retryable, id).toBe(false);
  });

  it('every remedy is a concrete step: most name a command, a setting or a dashboard page', () => {
    for (const e of Object.values(CATALOG)) {
      expect(
        e.remedies.some((r) => /apidoctor |export |Dashboard|--|GET |NODE_|nslookup|Retry|retry/.test(r)),
        e.id,
      ).toBe(true);
    }
  });

  it('diagnoseById gives the catalogue entry with the caller’s evidence and notes', () => {
    const d = diagnoseById('balance.below-minimum', { balance: 0.5 }, ['The balance is 0.50 USD, below --min 5.']);
    expect(d).toMatchObject({
      id: 'balance.below-minimum',
      category: 'balance',
      evidence: { balance: 0.5 },
      notes: ['The balance is 0.50 USD, below --min 5.'],
    });
    expect(d.remedies.join('\n')).toContain('Dashboard → Billing');
  });

  it('diagnoseById with an unknown id still answers, and says so', () => {
    const d = diagnoseById('no.such-id' as never);
    expect(d.id).toBe('http.unexpected-status');
    expect(d.notes[0]).toContain('no.such-id');
  });
});

describe('the rules table', () => {
  it('has unique rule names, only catalogue ids, and the catch-all last', () => {
    const names = RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const r of RULES) expect(CATALOG[r.id], r.name).toBeDefined();
    expect(RULES[RULES.length - 1]).toMatchObject({ name: 'fallback', when: {} });
  });

  it('every rule is reached by at least one fixture (samples or inline cases)', () => {
    const hit = new Set<string>();
    for (const [, s] of samples) hit.add(matchRule(failureFromSaved(s)).name);
    for (const c of CASES) hit.add(matchRule(c.failure, c.ctx).name);
    const missed = RULES.map((r) => r.name).filter((n) => !hit.has(n));
    expect(missed).toEqual([]);
  });

  it.each(CASES.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    expect(matchRule(c.failure, c.ctx).name).toBe(c.rule);
    const d = diagnose(c.failure, c.ctx);
    expect(d.id).toBe(c.id);
    if (c.category) expect(d.category).toBe(c.category);
    if (c.retryable !== undefined) expect(d.retryable).toBe(c.retryable);
    for (const s of c.see ?? []) expect(said(d).toLowerCase()).toContain(s.toLowerCase());
  });
});

describe('the real error samples', () => {
  it('the shared ones are all there', () => {
    expect(sharedSamples.length).toBeGreaterThanOrEqual(38);
  });
  it('the local ones are all there (test/fixtures/samples)', () => {
    expect(localSamples.length).toBeGreaterThanOrEqual(173);
  });

  it.each(samples)('%s', (_file, s) => {
    const d = diagnose(failureFromSaved(s));
    expect(s.expectedIdFamily).toContain(d.id);
    expect(d.category).toBe(s.expectedReason);
    expect(d.retryable).toBe(s.retryable);
    expect(d.evidence.status).toBe(s.status);
  });

  const read = (name: string): Diagnosis => {
    const s = samples.find(([f]) => f === name)?.[1];
    if (!s) throw new Error(`missing sample ${name}`);
    return diagnose(failureFromSaved(s));
  };

  it('says why a retry cannot help when the request alone exceeds the limit', () => {
    expect(read('openai-429-request-too-large-tpm.json').notes.join(' ')).toContain('requested 31538 > limit 30000');
    expect(read('groq-429-request-exceeds-tpm.json').notes.join(' ')).toContain('no retry can succeed');
    const r = read('openai-429-request-too-large-tpm.json').remedies;
    expect(r[0]).toContain('lower max_tokens');
    expect(r.join('\n')).not.toContain('exponential backoff');
  });

  it('refuses to promise a day-long wait (Retry-After header or the message)', () => {
    expect(read('azure-openai-429-token-rate-limit-86400s.json').notes.join(' ')).toMatch(
      /wait 86400 s.*\(Retry-After\); apidoctor does not wait that long/,
    );
    expect(read('litellm-429-azure-rate-limit-wrapped.json').notes.join(' ')).toContain('86400 s');
    expect(read('azure-openai-429-token-rate-limit-86400s.json').remedies[0]).toContain('Stop retrying');
  });

  it('names CDN and proxy pages for what they are', () => {
    expect(read('cloudflare-522-error-code-522-plain-worker.json').notes.join(' ')).toContain('Cloudflare error 522: the origin timed out');
    expect(read('cloudflare-520-unknown-error-api-anthropic-com.json').notes.join(' ')).toContain('Cloudflare HTML page');
    expect(read('nginx-502-bad-gateway.json').notes.join(' ')).toContain('an nginx HTML page (“502 Bad Gateway”)');
    expect(read('perplexity-401-authorization-required-openresty-html.json').notes.join(' ')).toContain('HTML page');
    expect(read('envoy-503-upstream-connect-error-connection-refused.json').notes.join(' ')).toContain('gateway’s upstream');
    expect(read('cloudflare-403-just-a-moment-challenge-api-anthropic.json').notes.join(' ')).toContain('Not a key or balance problem');
  });

  it('says a 200 web page means the base URL points at a website', () => {
    expect(read('bifrost-200-html-ui-instead-of-models-json.json').notes.join(' ')).toContain('base URL probably points at a website');
  });

  it('says an error came inside a 200 stream', () => {
    const d = read('anthropic-200-sse-error-event-overloaded.json');
    expect(d.notes.join(' ')).toContain('inside a 200 stream');
    expect(d.evidence.requestId).toBe('req_011Ce3HwQb6vtbs9LQVmh4oe');
  });

  it('quotes the provider’s inner message for OpenRouter’s "Provider returned error"', () => {
    expect(read('openrouter-400-provider-returned-error-image-limit.json').remedies[0]).toContain('supports at most 1 image per prompt');
  });

  it('says a content-filtered prompt fails again when retried', () => {
    expect(read('azure-openai-400-content-filter.json').notes.join(' ')).toContain('retrying the same prompt fails again');
  });

  it('keeps request ids from headers and bodies', () => {
    expect(read('anthropic-529-overloaded-request-id-in-body.json').evidence.requestId).toBe('req_011CZAau32QzxDkriovTaFCB');
    expect(read('vercel-504-function-invocation-timeout-text.json').evidence.requestId).toBe('fra1::46n92-1753107905195-02e151215b22');
    expect(read('openai-503-model-overloaded.json').evidence.requestId).toBe('169bee8d');
    expect(read('azure-openai-400-content-filter.json').evidence.requestId).toBe('3f0c6c3a-0000-0000-0000-000000000000');
  });
});

describe('the ModelSwitch error page: every row’s documented remedy appears', () => {
  const dx = (status: number, body: string, ctx = {}) =>
    diagnose(http(status, body, { 'content-type': 'application/json' }, { endpoint: '/v1/chat/completions' }), ctx);

  it('400: fix the request, quoting error.message', () => {
    const d = dx(400, ms('Missing required parameter: messages'));
    expect(d.id).toBe('request.invalid');
    expect(d.category).toBe('failed');
    expect(d.remedies[0]).toBe('Fix what error.message names: “Missing required parameter: messages”');
  });

  it('401: header, prefix, deleted key, case-sensitive', () => {
    const d = dx(401, ms('Invalid API key', 'authentication_error', 'invalid_api_key'));
    expect(d.id).toBe('auth.invalid-key');
    const r = d.remedies.join('\n');
    expect(r).toContain('Authorization: Bearer ms-');
    expect(r).toContain('ms- for inference');
    expect(r).toContain('mk- for account endpoints');
    expect(r).toContain('Dashboard → API Keys');
    expect(r).toContain('case-sensitive');
  });

  it('402: check GET /api/balance, top up in Dashboard → Billing, keep a buffer for the hold', () => {
    const d = dx(402, ms('Account balance is insufficient'));
    expect(d.id).toBe('balance.insufficient');
    const r = d.remedies.join('\n');
    expect(r).toContain('apidoctor balance');
    expect(r).toContain('GET /api/balance');
    expect(r).toContain('Dashboard → Billing');
    expect(r).toMatch(/buffer.*hold/);
  });

  it('403 with the cause open: the three documented checks, and a billing key to settle it', () => {
    const d = dx(403, ms('Forbidden', 'permission_error'));
    expect(d.id).toBe('access.denied');
    expect(d.category).toBe('auth');
    const r = d.remedies.join('\n');
    expect(r).toMatch(/Insufficient balance: check GET \/api\/balance/);
    expect(r).toMatch(/Deactivated key: check `active` via GET \/api\/keys/);
    expect(r).toMatch(/Wrong key type: use a proxy key \(ms-\) for inference and a billing key \(mk-\)/);
    expect(r).toContain('export MODELSWITCH_BILLING_KEY');
  });

  it('403 balance: check, top up at or near 0', () => {
    const d = dx(403, ms('Insufficient balance'));
    expect(d.id).toBe('balance.insufficient');
    expect(d.remedies.join('\n')).toContain('at or near 0');
  });

  it('403 deactivated: check active via apidoctor keys, reactivate or create', () => {
    const d = dx(403, ms('Key deactivated'));
    expect(d.id).toBe('auth.deactivated-key');
    const r = d.remedies.join('\n');
    expect(r).toContain('apidoctor keys');
    expect(r).toContain('apidoctor keys activate');
    expect(r).toContain('apidoctor keys create');
  });

  it('404: check the model id against GET /v1/models', () => {
    const d = dx(404, ms('Model not found'));
    expect(d.id).toBe('model.not-found');
    expect(d.remedies.join('\n')).toContain('GET /v1/models');
  });

  it('429: exponential backoff from 1 s, doubling', () => {
    const d = dx(429, ms('Rate limit exceeded', 'rate_limit_error'));
    expect(d).toMatchObject({ id: 'rate.limited', category: 'rate_limit', retryable: true });
    expect(d.remedies.join('\n')).toMatch(/1 s.*double/);
  });

  it('500: retry; contact support if it persists', () => {
    const d = dx(500, ms('Internal server error', 'server_error'));
    expect(d).toMatchObject({ id: 'server.error', category: 'server', retryable: true });
    expect(d.remedies.join('\n')).toMatch(/Retry the request[\s\S]*contact ModelSwitch support/);
  });

  it('502: transient, retry after a short delay, try a different model, read error.message', () => {
    const d = dx(502, ms('Upstream provider error: connection reset', 'server_error'));
    expect(d).toMatchObject({ id: 'provider.error', category: 'server', retryable: true });
    const r = d.remedies.join('\n');
    expect(r).toContain('retry the request after a short delay');
    expect(r).toContain('try a different model with similar capabilities');
    expect(r).toContain('error.message');
    expect(d.remedies[0]).toContain('Upstream provider error: connection reset');
  });

  it('503: temporary outage, retry after a short wait, usually resolves within minutes', () => {
    const d = dx(503, ms('Service temporarily unavailable', 'server_error'));
    expect(d).toMatchObject({ id: 'service.unavailable', category: 'server', retryable: true });
    expect(d.remedies.join('\n')).toMatch(/short wait.*within minutes/);
  });
});

describe('diagnoses are built from the evidence', () => {
  it('fills the evidence a person and a script need', () => {
    const f = http(
      429,
      ms('Rate limit exceeded', 'rate_limit_error', 'rate_limit_exceeded'),
      { 'x-request-id': 'req-1', 'retry-after': '2' },
      {
        method: 'POST',
        endpoint: '/v1/chat/completions',
        attempts: [
          { n: 1, status: 429, timings: { totalMs: 10 }, waitMs: 2000 },
          { n: 2, status: 429, timings: { totalMs: 12 } },
        ],
      },
    );
    const d = diagnose(f);
    expect(d.evidence).toMatchObject({
      status: 429,
      errorType: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message: 'Rate limit exceeded',
      requestId: 'req-1',
      method: 'POST',
      endpoint: '/v1/chat/completions',
      bodyFormat: 'json',
    });
    expect(d.evidence.attempts).toHaveLength(2);
    expect(d.notes).toContain('The server asked to wait 2 s (Retry-After) before retrying.');
    expect(d.remedies.join('\n')).toContain('apidoctor call /v1/chat/completions --retries 5');
  });

  it('carries the follow-up balance and key state into the evidence', () => {
    const d = diagnose(http(403, ms('Forbidden')), { followUp: { balance: 0, keyRecord: { id: 1, prefix: 'ms-x', active: true } } });
    expect(d.evidence).toMatchObject({ balance: 0, keyActive: true });
  });

  it('is pure: the same failure gives the same diagnosis', () => {
    const f = http(503, ms('down'));
    expect(diagnose(f)).toEqual(diagnose(f));
  });

  it('never throws, even on a failure that is not one', () => {
    const d = diagnose(null as never);
    expect(d.id).toBe('http.unexpected-status');
    expect(d.notes[0]).toContain('could not read this answer fully');
    const d2 = diagnose({ kind: 'http', status: 500, headers: null, attempts: null } as never);
    expect(d2.category).toBe('server');
  });
});
