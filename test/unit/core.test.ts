import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { inspectKey, maskKey, keyKind } from '../../src/core/keys.js';
import { Redactor } from '../../src/core/redact.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { normaliseBaseUrl } from '../../src/config/base-url.js';
import { decideRetry, parseRetryAfter } from '../../src/http/retry.js';
import { proxyFor } from '../../src/http/proxy.js';
import { SseParser } from '../../src/diagnosis/sse.js';
import { send, type Clock } from '../../src/http/client.js';
import { runChecks, type CheckDef } from '../../src/checks/runner.js';
import { matchKeyRecord } from '../../src/api/account.js';
import { UsageError } from '../../src/core/errors.js';

const KEY = 'ms-ab12cdef3456ghij7890klmn9f3c';

describe('keys', () => {
  it('detects kinds by prefix, including foreign formats and dashboard tokens', () => {
    expect(keyKind('ms-abc')).toBe('proxy');
    expect(keyKind('mk-abc')).toBe('billing');
    expect(keyKind('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln')).toBe('jwt');
    for (const k of ['sk-proj-abc', 'sk-abc', 'msk_abc', 'ms_live_abc', 'ms_test_abc', 'sk-ant-abc']) expect(keyKind(k)).toBe('foreign');
    expect(keyKind('hunter2')).toBe('unknown');
  });

  it('names what is wrong with a pasted key', () => {
    expect(inspectKey(`${KEY}\n`).problems.join()).toMatch(/newline/);
    expect(inspectKey(` ${KEY} `).problems.join()).toMatch(/spaces/);
    expect(inspectKey(`"${KEY}"`).problems.join()).toMatch(/quotes/);
    expect(inspectKey(`Bearer ${KEY}`).problems.join()).toMatch(/Bearer/);
    expect(inspectKey(KEY.replace('ms-', 'MS-')).problems.join()).toMatch(/case-sensitive.*"ms-"/);
    expect(inspectKey(KEY).problems).toEqual([]);
    // Kind is still detected under the damage, so the advice can be specific.
    expect(inspectKey(`"${KEY}"\n`).kind).toBe('proxy');
    expect(inspectKey('sk-proj-abcdef').foreign).toMatch(/OpenAI/);
  });

  it('masks as prefix, first 4 and last 4, and less for short keys', () => {
    expect(maskKey(KEY)).toBe('ms-ab12…9f3c');
    expect(maskKey('mk-0123456789abcdefXYZW')).toBe('mk-0123…XYZW');
    expect(maskKey('ms-short')).toBe('ms-… (8 characters)');
    expect(maskKey('ms-abcdefghij')).toBe('ms-ab…ij');
  });
});

describe('redaction', () => {
  it('masks registered secrets wherever they appear, also URL-encoded or quoted', () => {
    const r = new Redactor();
    r.add('weird key/with+chars');
    expect(r.redact('got weird key/with+chars and weird%20key%2Fwith%2Bchars')).not.toMatch(/weird key\/with\+chars|weird%20key/);
  });

  it('masks anything shaped like a key, such as a key echoed by a server', () => {
    const r = new Redactor();
    const out = r.redact(
      `{"error":{"message":"Invalid API key ${KEY}"}} Authorization: Bearer abcdefghijklmnop sk-proj-AAAAAAAAAAAAAAAAAAAA`,
    );
    expect(out).not.toContain(KEY);
    expect(out).toContain('ms-ab12…9f3c');
    expect(out).not.toContain('abcdefghijklmnop');
    expect(out).not.toContain('AAAAAAAAAAAAAAAAAAAA');
  });

  it('leaves a listed key prefix alone (it is not a secret)', () => {
    expect(new Redactor().redact('prefix ms-abc1xxxx')).toBe('prefix ms-abc1xxxx');
  });

  // redact() first looks for anything a known secret could show (one scan of all its forms and cut stems)
  // and for a piece each other kind of secret needs; these prove the look-ups miss nothing they must find.
  it('finds a configured secret whose characters mean something in a regular expression, whole, cut and encoded', () => {
    const secret = 'mk-a+b(c)[d]{e}|f.g*h?i^j$k\\l/m0123456789';
    const r = new Redactor();
    r.add(secret);
    const text = [
      `whole: ${secret}`,
      `cut: ${secret.slice(0, 24)}`,
      `end: ${secret.slice(-20)}`,
      `base64: ${Buffer.from(secret).toString('base64')}`,
      `hex: ${Buffer.from(secret).toString('hex')}`,
    ].join('\n');
    const out = r.redact(text);
    for (const piece of [secret, secret.slice(0, 24), secret.slice(-20), Buffer.from(secret).toString('hex')])
      expect(out).not.toContain(piece);
    expect(out).not.toContain(Buffer.from(secret).toString('base64').slice(4, 40));
  });

  it.each([
    ['an OpenAI key', 'sk-proj-AbCdEfGhIjKlMnOpQrSt'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQ'],
    ['a Google key', 'AIzaSyA1234567890abcdefghijklmnop'],
    ['a Groq key', 'gsk_AbCdEfGhIjKlMnOpQrStUv'],
    ['an xAI key', 'xai-AbCdEfGhIjKlMnOpQrStUv'],
    ['a Hugging Face token', 'hf_AbCdEfGhIjKlMnOpQrStUvWx'],
    ['a GitHub token', 'ghp_AbCdEfGhIjKlMnOpQrStUvWx'],
    ['a fine-grained GitHub token', 'github_pat_AbCdEfGhIjKlMnOpQrStUvWx'],
    ['a Slack token', 'xoxb-1234567890-abcdefghij'],
    ['an AWS access key id', 'AKIAABCDEFGHIJKLMNOP'],
    ['an AWS session key id', 'ASIAABCDEFGHIJKLMNOP'],
    ['a Stripe key', 'rk_live_AbCdEfGhIjKlMn'],
    ['a msk_ key', 'msk_AbCdEfGhIjKl'],
    ['a ms_live_ key', 'ms_live_AbCdEfGhIjKl'],
    ['a bearer token in any case', 'BEARER abcdefghijklmnop'],
    ['an api_key field', 'API_KEY=abcdefghijklmnop'],
    ['Basic credentials', 'Basic dXNlcjpwYXNzd29yZA=='],
  ])('masks %s in text that is otherwise a key table', (_what, secret) => {
    const table = Array.from({ length: 50 }, (_, i) => `${i}  key ${i}  ms-g${String(i).padStart(7, '0')}  active`).join('\n');
    const out = new Redactor().redact(`${table}\n${secret}\n${table}`);
    expect(out).not.toContain(secret.replace(/^(BEARER|API_KEY=|Basic) ?/, ''));
    expect(out.startsWith(table)).toBe(true);
  });
});

describe('configuration', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'apidoctor-cfg-'));

  it('takes flag > environment > config file > default, and knows each source', async () => {
    const d = dir();
    writeFileSync(
      join(d, '.apidoctorrc.json'),
      JSON.stringify({ apiKey: 'ms-fromfile0000000000', billingKey: 'mk-fromfile0000000000', model: 'gpt-4o', timeout: 5000 }),
    );
    const c = await resolveConfig(
      { apiKey: 'ms-fromflag0000000000' },
      { MODELSWITCH_BILLING_KEY: 'mk-fromenv00000000000' },
      { cwd: d, needs: ['apiKey', 'billingKey', 'baseUrl', 'timeout', 'model'] },
    );
    expect(c.apiKey).toMatchObject({ value: 'ms-fromflag0000000000', origin: 'flag', source: '--api-key' });
    expect(c.billingKey).toMatchObject({ value: 'mk-fromenv00000000000', origin: 'env', source: 'MODELSWITCH_BILLING_KEY' });
    expect(c.model).toMatchObject({ value: 'gpt-4o', origin: 'file', source: './.apidoctorrc.json' });
    expect(c.timeout).toMatchObject({ value: 5000, origin: 'file' });
    expect(c.baseUrl).toMatchObject({ value: 'https://modelswitch.io', origin: 'default' });
  });

  it('skips the config file search when flags and environment settle what the command needs', async () => {
    const d = dir();
    writeFileSync(join(d, '.apidoctorrc.json'), '{ broken');
    const env = { MODELSWITCH_BILLING_KEY: 'mk-x0000000000000000', MODELSWITCH_BASE_URL: 'http://127.0.0.1:1', APIDOCTOR_TIMEOUT: '1000' };
    const c = await resolveConfig({}, env, { cwd: d, needs: ['billingKey', 'baseUrl', 'timeout'] });
    expect(c.fileSkipped).toBeDefined();
    // When the file is needed, its error names it.
    await expect(resolveConfig({}, env, { cwd: d, needs: ['apiKey'] })).rejects.toThrow(/\.apidoctorrc\.json/);
  });

  it('rejects an ill-typed config file naming the file and the field, and warns about unknown keys', async () => {
    const d = dir();
    writeFileSync(join(d, '.apidoctorrc.json'), JSON.stringify({ timeout: 'soon' }));
    await expect(resolveConfig({}, {}, { cwd: d, needs: ['timeout'] })).rejects.toThrow(/\.apidoctorrc\.json.*"timeout"/);
    writeFileSync(join(d, '.apidoctorrc.json'), JSON.stringify({ apikey: 'ms-x', model: 'm' }));
    const c = await resolveConfig({}, {}, { cwd: d, needs: ['model'] });
    expect(c.warnings.join()).toMatch(/unknown setting "apikey"/);
  });

  it('a bad --timeout is a usage error naming the flag', async () => {
    await expect(resolveConfig({ timeout: 'abc' }, {}, { cwd: dir(), needs: [] })).rejects.toBeInstanceOf(UsageError);
    await expect(resolveConfig({ timeout: 'abc' }, {}, { cwd: dir(), needs: [] })).rejects.toThrow(/--timeout/);
  });
});

describe('base URL', () => {
  it('strips a trailing /v1, /api or / and says so once', () => {
    expect(normaliseBaseUrl('https://modelswitch.io/v1')).toMatchObject({
      ok: true,
      url: 'https://modelswitch.io',
      note: expect.stringMatching(/\/v1/),
    });
    expect(normaliseBaseUrl('https://modelswitch.io/api/')).toMatchObject({ ok: true, url: 'https://modelswitch.io' });
    expect(normaliseBaseUrl('https://modelswitch.io')).toMatchObject({ ok: true, url: 'https://modelswitch.io', note: undefined });
  });
  it('rejects what cannot be an API root and warns about legacy hosts and clear text', () => {
    expect(normaliseBaseUrl('modelswitch.io').ok).toBe(false);
    expect(normaliseBaseUrl('ftp://x.io').ok).toBe(false);
    expect(normaliseBaseUrl('https://user:pw@x.io').ok).toBe(false);
    expect(normaliseBaseUrl('https://api.modelswitch.ru/v1')).toMatchObject({ ok: true, warnings: [expect.stringMatching(/legacy/)] });
    expect(normaliseBaseUrl('http://gateway.example/').ok && normaliseBaseUrl('http://gateway.example/')).toMatchObject({
      warnings: [expect.stringMatching(/clear text/)],
    });
    expect(normaliseBaseUrl('http://127.0.0.1:8080')).toMatchObject({ ok: true, warnings: [] });
  });
});

describe('retry policy', () => {
  const base = { nowMs: 0, waitedMs: 0, random: () => 0, retries: 3 };
  it('backs off from 1 s, doubling, for 429/500/502/503 only', () => {
    expect(decideRetry({ ...base, status: 429, failureIndex: 0 })).toMatchObject({ retry: true, waitMs: 1000 });
    expect(decideRetry({ ...base, status: 503, failureIndex: 1 })).toMatchObject({ retry: true, waitMs: 2000 });
    expect(decideRetry({ ...base, status: 500, failureIndex: 2 })).toMatchObject({ retry: true, waitMs: 4000 });
    expect(decideRetry({ ...base, status: 502, failureIndex: 3 })).toMatchObject({ retry: false });
    for (const s of [400, 401, 403, 404, 504, 529]) expect(decideRetry({ ...base, status: s, failureIndex: 0 }).retry).toBe(false);
  });
  it('honours Retry-After in seconds or as a date, within caps', () => {
    expect(decideRetry({ ...base, status: 429, failureIndex: 0, retryAfter: '3' })).toMatchObject({ retry: true, waitMs: 3000 });
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', 5_000)).toBe(0);
    const long = decideRetry({ ...base, status: 429, failureIndex: 0, retryAfter: '86400' });
    expect(long.retry).toBe(false);
    expect(long.note).toMatch(/24 h/);
    expect(decideRetry({ ...base, status: 429, failureIndex: 0, retryAfter: '1000000000' }).retry).toBe(false);
    expect(decideRetry({ ...base, status: 429, failureIndex: 0, waitedMs: 59_500 }).retry).toBe(false);
  });
  it('does not retry what the body says a retry cannot fix', () => {
    expect(decideRetry({ ...base, status: 429, failureIndex: 0, retryable: false }).retry).toBe(false);
  });
});

describe('client with an injected clock (no real sleeping)', () => {
  it('waits 1 s then 2 s between 503s and records every attempt', async () => {
    let n = 0;
    const srv = createServer((_req, res) => {
      n++;
      if (n < 3) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"down"}}');
      } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const waits: number[] = [];
    const clock: Clock = { now: () => performance.now(), sleep: async (ms) => void waits.push(ms) };
    try {
      const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}/x`;
      const out = await send({ method: 'GET', url, timeoutMs: 2000, retries: 3 }, { clock, random: () => 0 });
      expect(out.ok).toBe(true);
      expect(waits).toEqual([1000, 2000]);
      if (out.ok) expect(out.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    } finally {
      srv.close();
    }
  });
});

describe('proxy choice', () => {
  const u = new URL('https://modelswitch.io/v1/models');
  it('uses HTTPS_PROXY (either case) and masks its password', () => {
    expect(proxyFor(u, { HTTPS_PROXY: 'http://user:secret@proxy:3128' })).toMatchObject({
      source: 'HTTPS_PROXY',
      display: 'http://user:****@proxy:3128',
    });
    expect(proxyFor(u, { https_proxy: 'http://p:1' }).source).toBe('https_proxy');
  });
  it('honours NO_PROXY entries, suffixes and *', () => {
    expect(proxyFor(u, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'localhost,.modelswitch.io' }).excludedBy).toMatch(/modelswitch\.io/);
    expect(proxyFor(u, { HTTPS_PROXY: 'http://p:1', no_proxy: 'modelswitch.io:443' }).excludedBy).toBeDefined();
    expect(proxyFor(u, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com' }).url).toBe('http://p:1');
    expect(proxyFor(u, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }).excludedBy).toMatch(/\*/);
  });
  it('matches IPv6 NO_PROXY entries, bare or in brackets, with or without a port, in any spelling', () => {
    const v6 = new URL('http://[::1]:18101/v1/models');
    for (const entry of ['::1', '[::1]', '[::1]:18101', '0:0:0:0:0:0:0:1', 'localhost,::1'])
      expect(proxyFor(v6, { HTTP_PROXY: 'http://p:1', NO_PROXY: entry }).excludedBy, entry).toBeDefined();
    for (const entry of ['[::1]:9999', 'localhost,127.0.0.1', '::2', '1'])
      expect(proxyFor(v6, { HTTP_PROXY: 'http://p:1', NO_PROXY: entry }).url, entry).toBe('http://p:1');
    // A host:port entry still reads as before.
    expect(proxyFor(new URL('http://127.0.0.1:8080/'), { HTTP_PROXY: 'http://p:1', NO_PROXY: '127.0.0.1:8080' }).excludedBy).toBeDefined();
    expect(proxyFor(new URL('http://127.0.0.1:8080/'), { HTTP_PROXY: 'http://p:1', NO_PROXY: '127.0.0.1:9' }).url).toBe('http://p:1');
  });
  it('never shows a proxy credential: a password, a user name alone (often a token), or userinfo in a URL with no scheme', () => {
    expect(proxyFor(u, { HTTPS_PROXY: 'http://tok3n@proxy:3128' }).display).toBe('http://****@proxy:3128');
    const noScheme = proxyFor(u, { HTTPS_PROXY: 'user:pa55word@127.0.0.1:18200' });
    expect(noScheme.display).toBe('****@127.0.0.1:18200');
    expect(noScheme.problem).toMatch(/no scheme/);
    expect(proxyFor(u, { HTTPS_PROXY: 'socks5://127.0.0.1:1080' }).problem).toMatch(/socks5 proxies are not supported/);
    expect(proxyFor(u, { HTTPS_PROXY: '127.0.0.1:3128' }).problem).toBeDefined();
    expect(proxyFor(u, { HTTPS_PROXY: 'https://proxy:3128' }).problem).toBeUndefined();
  });
  it('routes as undici (and Node fetch) would: an https target falls back to HTTP_PROXY; lower case wins, even empty', () => {
    expect(proxyFor(u, { HTTP_PROXY: 'http://p:1' })).toMatchObject({ url: 'http://p:1', source: 'HTTP_PROXY' });
    expect(proxyFor(u, { HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://q:2' }).source).toBe('HTTPS_PROXY');
    expect(proxyFor(new URL('http://127.0.0.1:8080/v1/models'), { HTTPS_PROXY: 'http://q:2' })).toEqual({});
    expect(proxyFor(u, { https_proxy: '', HTTPS_PROXY: 'http://q:2' })).toEqual({});
    expect(proxyFor(u, { HTTPS_PROXY: 'http://q:2', no_proxy: '', NO_PROXY: 'modelswitch.io' }).url).toBe('http://q:2');
  });
});

describe('SSE parser', () => {
  it('assembles events split across chunks and CRLF, and sees [DONE]', () => {
    const p = new SseParser();
    const events = [...p.feed('data: {"a":1}\r\n\r\nda'), ...p.feed('ta: {"b":2}\n\n'), ...p.feed('data: [DONE]\n\n')];
    expect(events.map((e) => e.data)).toEqual(['{"a":1}', '{"b":2}', '[DONE]']);
    expect(p.done).toBe(true);
    expect(p.errorEvent).toBeUndefined();
  });
  it('finds an error event inside a stream', () => {
    const p = new SseParser();
    p.feed('event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n');
    expect(p.errorEvent?.event).toBe('error');
    expect(p.done).toBe(false);
  });
});

describe('check runner', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  it('runs independent checks at the same time and skips dependants of a failure with blockedBy', async () => {
    // Order of events, not wall time: "at the same time" means b starts before a ends.
    const events: string[] = [];
    const timed = (id: string, status: 'pass' | 'fail') => async () => {
      events.push(`start ${id}`);
      await sleep(150);
      events.push(`end ${id}`);
      return { status, detail: status === 'fail' ? 'no' : '' } as const;
    };
    const defs: CheckDef<null>[] = [
      { id: 'a', title: 'A', needs: [], requires: '', run: timed('a', 'pass') },
      { id: 'b', title: 'B', needs: [], requires: '', run: timed('b', 'fail') },
      { id: 'c', title: 'C', needs: ['b'], requires: '', run: async () => ({ status: 'pass', detail: '' }) },
      { id: 'd', title: 'D', needs: ['c'], requires: '', run: async () => ({ status: 'pass', detail: '' }) },
      { id: 'e', title: 'E', needs: ['a'], requires: '', run: async () => ({ status: 'pass', detail: '' }) },
    ];
    const res = await runChecks(defs, null, { deadlineMs: 5000 });
    expect(events.indexOf('start b')).toBeLessThan(events.indexOf('end a'));
    expect(events.indexOf('start a')).toBeLessThan(events.indexOf('end b'));
    expect(res.map((r) => [r.id, r.status, r.blockedBy])).toEqual([
      ['a', 'pass', undefined],
      ['b', 'fail', undefined],
      ['c', 'skip', 'b'],
      ['d', 'skip', 'b'],
      ['e', 'pass', undefined],
    ]);
  });
  it('runs a check alongside its soft prerequisites, and reports it blocked when one of them fails', async () => {
    const events: string[] = [];
    const defs: CheckDef<null>[] = [
      {
        id: 'net',
        title: 'Net',
        needs: [],
        requires: '',
        run: async () => (await sleep(150), events.push('end net'), { status: 'fail', detail: 'down' }),
      },
      { id: 'ok', title: 'Ok', needs: [], requires: '', run: async () => (await sleep(150), { status: 'pass', detail: '' }) },
      {
        id: 'api',
        title: 'Api',
        needs: [],
        after: ['net'],
        requires: '',
        run: async () => (events.push('start api'), { status: 'fail', detail: 'refused' }),
      },
      { id: 'api2', title: 'Api2', needs: [], after: ['ok'], requires: '', run: async () => ({ status: 'pass', detail: 'fine' }) },
    ];
    const res = await runChecks(defs, null, { deadlineMs: 5000 });
    expect(events).toEqual(['start api', 'end net']); // it did not wait for 'net'
    expect(res[2]).toMatchObject({ status: 'skip', blockedBy: 'net' }); // its own failure is not a second red line
    expect(res[3]).toMatchObject({ status: 'pass', detail: 'fine' });
  });

  it('turns a check that never finishes into a failure at its deadline, and a throw into a failure', async () => {
    const defs: CheckDef<null>[] = [
      { id: 'slow', title: 'Slow', needs: [], requires: '', run: () => new Promise(() => {}) },
      {
        id: 'bug',
        title: 'Bug',
        needs: [],
        requires: '',
        run: async () => {
          throw new Error('oops');
        },
      },
    ];
    const res = await runChecks(defs, null, { deadlineMs: 100 });
    expect(res[0]).toMatchObject({ status: 'fail', evidence: { timedOut: true } });
    expect(res[1]).toMatchObject({ status: 'fail', detail: expect.stringMatching(/oops/) });
  });
});

describe('key records', () => {
  const recs = [
    { id: 1, prefix: 'ms-abc1xxxx', active: true },
    { id: 2, prefix: 'ms-abc12345', active: false },
  ];
  it('matches the configured key by its listed prefix, exact before padded', () => {
    expect(matchKeyRecord(recs, 'ms-abc12345zzzz')?.id).toBe(2);
    expect(matchKeyRecord(recs, 'ms-abc1qqqqqqqq')?.id).toBe(1);
    expect(matchKeyRecord(recs, 'ms-zzzz')).toBeNull();
  });
});
