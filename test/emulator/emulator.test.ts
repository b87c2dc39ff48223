import { spawn } from 'node:child_process';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, KEYS, PRESETS, TLS_CERT, startEmulator } from './server.js';
import type { FailureSpec } from './types.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => emu.reset());

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
const get = (path: string, key?: string, init: RequestInit = {}): Promise<Response> => {
  const headers: Record<string, string> = { ...(key ? bearer(key) : {}), ...(init.headers as Record<string, string> | undefined) };
  return fetch(emu.url + path, { ...init, headers });
};
const post = (path: string, key: string, body: unknown, method = 'POST'): Promise<Response> =>
  fetch(emu.url + path, {
    method,
    headers: { ...bearer(key), 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const chat = (body: Record<string, unknown>, key: string = KEYS.proxy): Promise<Response> =>
  post('/v1/chat/completions', key, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...body });
const errorOf = async (r: Response): Promise<{ message: string; type: string; code: string }> =>
  ((await r.json()) as { error: { message: string; type: string; code: string } }).error;
/** The network error code fetch failed with (cause chain). */
const failureCode = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
    return undefined;
  } catch (err) {
    let e: unknown = err;
    while (e instanceof Error) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string') return code;
      e = e.cause;
    }
    return 'no-code';
  }
};

describe('/v1 auth', () => {
  it('lists models for the active proxy key', async () => {
    const r = await get('/v1/models', KEYS.proxy);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    const body = (await r.json()) as { object: string; data: Array<{ id: string; object: string }> };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual([
      'gpt-4o',
      'gpt-4o-mini',
      'claude-sonnet-4',
      'text-embedding-3-small',
      'text-embedding-3-large',
    ]);
  });

  it('answers 401 for a missing, garbled or unknown key', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer' }] as Array<Record<string, string>>) {
      const r = await get('/v1/models', undefined, { headers });
      expect(r.status).toBe(401);
      expect(await errorOf(r)).toEqual({
        message: 'Missing or invalid Authorization header',
        type: 'authentication_error',
        code: 'invalid_api_key',
      });
    }
    const unknown = await get('/v1/models', KEYS.proxyUnknown);
    expect(unknown.status).toBe(401);
    expect((await errorOf(unknown)).message).toBe('Invalid API key');
  });

  it('gives the same generic 403 for a billing key, a deactivated key, a spend limit and an empty balance', async () => {
    const bodies: string[] = [];
    const wrongKind = await get('/v1/models', KEYS.billing);
    const inactive = await get('/v1/models', KEYS.proxyInactive);
    emu.state.spendLimitReached[1] = true;
    const spend = await get('/v1/models', KEYS.proxy);
    emu.state.spendLimitReached = {};
    emu.state.balance = 0;
    const broke = await get('/v1/models', KEYS.proxy);
    for (const r of [wrongKind, inactive, spend, broke]) {
      expect(r.status).toBe(403);
      bodies.push(await r.text());
    }
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0] ?? '')).toEqual({ error: { message: 'Access denied', type: 'invalid_request_error', code: 'forbidden' } });
  });

  it('names the 403 cause with descriptive403', async () => {
    emu.state.descriptive403 = true;
    const inactive = await errorOf(await get('/v1/models', KEYS.proxyInactive));
    emu.state.spendLimitReached[1] = true;
    const spend = await errorOf(await get('/v1/models', KEYS.proxy));
    expect(inactive.code).toBe('key_deactivated');
    expect(spend.code).toBe('spend_limit_reached');
    expect((await errorOf(await get('/v1/models', KEYS.billing))).code).toBe('wrong_key_type');
  });

  it('answers an empty balance with 403, or 402 when balanceStatus is 402', async () => {
    emu.state.balance = 0;
    expect((await get('/v1/models', KEYS.proxy)).status).toBe(403);
    emu.state.balanceStatus = 402;
    const r = await get('/v1/models', KEYS.proxy);
    expect(r.status).toBe(402);
    expect((await errorOf(r)).message).toBe('Account balance is insufficient');
  });

  it('refuses an expired key with 403 (or 401 when expiredKeyStatus is 401)', async () => {
    const key = emu.state.keys[0];
    if (!key) throw new Error('no key 1');
    key.expiresAt = new Date(Date.now() - 1000).toISOString();
    expect((await get('/v1/models', KEYS.proxy)).status).toBe(403);
    emu.state.expiredKeyStatus = 401;
    expect((await get('/v1/models', KEYS.proxy)).status).toBe(401);
  });
});

describe('/api auth and routes', () => {
  it('accepts the billing key, refuses proxy keys with 403 and unknown or missing keys with 401', async () => {
    const ok = await get('/api/balance', KEYS.billing);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ balance: 42.5 });
    expect((await get('/api/balance', KEYS.proxy)).status).toBe(403);
    expect((await get('/api/keys', KEYS.billingUnknown)).status).toBe(401);
    expect((await get('/api/keys')).status).toBe(401);
  });

  it('with jwtOnlyRoutes refuses mk- on balance/usage/transactions but not on keys; a JWT passes', async () => {
    emu.state.jwtOnlyRoutes = true;
    for (const p of ['/api/balance', '/api/usage', '/api/transactions']) expect((await get(p, KEYS.billing)).status).toBe(401);
    expect((await get('/api/keys', KEYS.billing)).status).toBe(200);
    expect((await get('/api/balance', KEYS.jwt)).status).toBe(200);
  });

  it('runs the key lifecycle: create, use, deactivate, rename, delete', async () => {
    const created = await post('/api/keys', KEYS.billing, { name: 'CI', expires_at: '2099-01-01T00:00:00Z' });
    expect(created.status).toBe(200);
    const { id, key } = (await created.json()) as { id: number; key: string };
    expect(key).toMatch(/^ms-[0-9a-f]{32}$/);
    expect((await get('/v1/models', key)).status).toBe(200);

    const listText = await (await get('/api/keys', KEYS.billing)).text();
    expect(listText).not.toContain(key);
    expect(listText).not.toContain(KEYS.proxy);
    const listed = (JSON.parse(listText) as { keys: Array<Record<string, unknown>> }).keys.find((k) => k.id === id);
    expect(listed).toMatchObject({ name: 'CI', prefix: key.slice(0, 11), active: true, expiresAt: '2099-01-01T00:00:00.000Z' });

    const off = await post(`/api/keys/${id}`, KEYS.billing, { active: false, name: 'CI old' }, 'PUT');
    expect(await off.json()).toMatchObject({ id, name: 'CI old', active: false });
    expect((await get('/v1/models', key)).status).toBe(403);

    const del = await fetch(`${emu.url}/api/keys/${id}`, { method: 'DELETE', headers: bearer(KEYS.billing) });
    expect(await del.json()).toEqual({ deleted: true });
    expect((await get('/v1/models', key)).status).toBe(401);
    expect((await post('/api/keys/999', KEYS.billing, { active: true }, 'PUT')).status).toBe(404);
  });

  it('pages usage and transactions (max 50) with entries from the last 7 days, newest first', async () => {
    const page1 = (await (await get('/api/usage?limit=100', KEYS.billing)).json()) as { usage: Array<{ createdAt: string }> };
    const page2 = (await (await get('/api/usage?limit=50&offset=50', KEYS.billing)).json()) as { usage: unknown[] };
    expect(page1.usage).toHaveLength(50);
    expect(page2.usage).toHaveLength(10);
    const times = page1.usage.map((u) => Date.parse(u.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(Date.now() - Math.min(...times)).toBeLessThan(7 * 86_400_000);
    const tx = (await (await get('/api/transactions?limit=5', KEYS.billing)).json()) as {
      transactions: Array<{ amount: number; type: string }>;
    };
    expect(tx.transactions).toHaveLength(5);
    expect(tx.transactions[0]).toMatchObject({ type: 'usage' });
    expect((await get('/api/usage?limit=abc', KEYS.billing)).status).toBe(400);
  });

  it('answers unknown paths with a 404 envelope', async () => {
    const r = await get('/nope', KEYS.proxy);
    expect(r.status).toBe(404);
    expect((await errorOf(r)).code).toBe('not_found');
  });
});

describe('inference', () => {
  it('returns a chat.completion and honours max_tokens', async () => {
    const r = await chat({ max_tokens: 1 });
    const body = (await r.json()) as {
      object: string;
      choices: Array<{ message: { content: string }; finish_reason: string }>;
      usage: { completion_tokens: number };
    };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]?.finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(1);
  });

  it('validates the body: bad JSON and missing fields are 400, an unknown model 404', async () => {
    expect((await post('/v1/chat/completions', KEYS.proxy, '{nope')).status).toBe(400);
    expect((await post('/v1/chat/completions', KEYS.proxy, { messages: [] })).status).toBe(400);
    expect((await post('/v1/chat/completions', KEYS.proxy, { model: 'gpt-4o' })).status).toBe(400);
    const r = await chat({ model: 'x' });
    expect(r.status).toBe(404);
    expect(await errorOf(r)).toEqual({ message: "Model 'x' not found", type: 'invalid_request_error', code: 'model_not_found' });
  });

  it('streams SSE chunks spaced by streamIntervalMs and ends with [DONE]', async () => {
    emu.state.streamIntervalMs = 10;
    const r = await chat({ stream: true });
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const events = (await r.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events[1]?.slice(6) ?? '')).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [{ delta: { content: 'Hello! ' } }],
    });
    const at = emu.requests[0]?.chunksWrittenAt ?? [];
    expect(at).toHaveLength(events.length);
    for (let i = 1; i < at.length; i++) expect((at[i] ?? 0) - (at[i - 1] ?? 0)).toBeGreaterThanOrEqual(8);
  });

  it('returns embeddings of the model width, in input order', async () => {
    const r = await post('/v1/embeddings', KEYS.proxy, { model: 'text-embedding-3-small', input: ['a', 'b'] });
    const body = (await r.json()) as { data: Array<{ index: number; embedding: number[] }> };
    expect(body.data.map((d) => d.index)).toEqual([0, 1]);
    expect(body.data[0]?.embedding).toHaveLength(1536);
  });
});

describe('failure injection', () => {
  it('serves a rule `times` times on matching requests only, then normal answers', async () => {
    emu.state.failures.push({ ...PRESETS.rateLimited, match: { method: 'GET', path: '/v1/models' }, times: 2 });
    expect((await get('/api/balance', KEYS.billing)).status).toBe(200);
    const first = await get('/v1/models', KEYS.proxy);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    expect((await get('/v1/models', KEYS.proxy)).status).toBe(429);
    expect((await get('/v1/models', KEYS.proxy)).status).toBe(200);
    expect(emu.state.failures).toHaveLength(0);
    expect(emu.requests.map((q) => q.injected ?? '-')).toEqual(['-', 'respond', 'respond', '-']);
  });

  it('serves every canned preset with its status and content type', async () => {
    for (const [name, spec] of Object.entries(PRESETS) as Array<[string, FailureSpec]>) {
      if (spec.kind !== undefined) continue;
      emu.state.failures.push({ ...spec, times: 1 });
      const r = await get('/v1/models', KEYS.proxy);
      expect(r.status, name).toBe(spec.status);
      const text = await r.text();
      if (spec.body !== '') expect(r.headers.get('content-type'), name).toBe(spec.headers?.['content-type']);
      expect(text, name).toBe(typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body));
    }
  });

  it('hangs until close() releases the client', async () => {
    const other = await startEmulator({ failures: [{ kind: 'hang' }] });
    const pending = failureCode(fetch(`${other.url}/v1/models`));
    while (other.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    await other.close();
    expect(await pending).toBeDefined();
    expect(Date.now() - t0).toBeLessThan(5000); // a hang would be for ever; the bound allows a busy machine
    expect(other.requests[0]).toMatchObject({ injected: 'hang', aborted: true });
  });

  it('resets the connection before or during the body', async () => {
    emu.state.failures.push({ kind: 'reset', times: 1 }, { kind: 'resetMidBody', times: 1 });
    expect(await failureCode(get('/v1/models', KEYS.proxy))).toBe('ECONNRESET');
    const mid = await get('/v1/models', KEYS.proxy);
    expect(mid.status).toBe(200);
    expect(await failureCode(mid.text())).toBe('UND_ERR_SOCKET');
  });

  it('cuts a stream without [DONE], or sends an error event inside a 200 stream', async () => {
    emu.state.failures.push({ kind: 'streamCut', times: 1 }, { kind: 'streamErrorEvent', times: 1 });
    const cut = await (await chat({ stream: true })).text();
    expect(cut).toContain('chat.completion.chunk');
    expect(cut).not.toContain('[DONE]');
    const errored = await chat({ stream: true });
    expect(errored.status).toBe(200);
    const events = (await errored.text()).split('\n\n').filter(Boolean);
    expect(JSON.parse(events[0]?.slice(6) ?? '')).toMatchObject({ error: { type: 'server_error' } });
    expect(events[1]).toBe('data: [DONE]');
  });

  it('echoes the full key in a 401 message and header', async () => {
    emu.state.failures.push({ kind: 'echoKey' });
    const r = await get('/v1/models', KEYS.proxy);
    expect(r.status).toBe(401);
    expect(r.headers.get('x-echo-key')).toBe(KEYS.proxy);
    expect((await errorOf(r)).message).toContain(KEYS.proxy);
  });

  it('redirects to another host', async () => {
    emu.state.failures.push({ kind: 'redirect', status: 307, location: 'http://127.0.0.1:9/v1/models' });
    const r = await get('/v1/models', KEYS.proxy, { redirect: 'manual' });
    expect(r.status).toBe(307);
    expect(r.headers.get('location')).toBe('http://127.0.0.1:9/v1/models');
  });

  it('drips a body slowly and streams a huge body of the exact size', async () => {
    emu.state.failures.push({ kind: 'drip', body: '{"ok":true}', chunkDelayMs: 20, chunkBytes: 4, times: 1 });
    emu.state.failures.push({ kind: 'huge', status: 200, bytes: 1_000_000, times: 1 });
    const t0 = performance.now();
    expect(await (await get('/v1/models', KEYS.proxy)).text()).toBe('{"ok":true}');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(38); // 3 pieces, 2 gaps
    const huge = await get('/v1/models', KEYS.proxy);
    expect(huge.headers.get('content-length')).toBe('1000000');
    const text = await huge.text();
    expect(text.length).toBe(1_000_000);
    expect(JSON.parse(text)).toHaveProperty('padding');
  });

  it('delays every response by delayMs, concurrently, and logs overlapping timings', async () => {
    emu.state.delayMs = 100;
    await Promise.all([get('/v1/models', KEYS.proxy), get('/api/balance', KEYS.billing)]);
    const [a, b] = emu.requests;
    expect(a?.durationMs).toBeGreaterThanOrEqual(99);
    expect(b?.durationMs).toBeGreaterThanOrEqual(99);
    expect(b?.startedAt ?? Infinity).toBeLessThan(a?.finishedAt ?? 0);
  });
});

describe('log, reset and control', () => {
  it('logs method, path, raw headers, body and status', async () => {
    await chat({ max_tokens: 2 });
    const [entry] = emu.requests;
    expect(entry).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200 });
    expect(entry?.headers.authorization).toBe(`Bearer ${KEYS.proxy}`);
    expect(JSON.parse(entry?.body ?? '')).toMatchObject({ max_tokens: 2 });
  });

  it('reset() clears the log and restores the starting state', async () => {
    emu.state.balance = 0;
    emu.state.failures.push(PRESETS.serverError);
    await get('/v1/models', KEYS.proxy);
    emu.reset();
    expect(emu.requests).toHaveLength(0);
    expect(emu.state.balance).toBe(42.5);
    expect((await get('/v1/models', KEYS.proxy)).status).toBe(200);
  });

  it('exposes the log and failure injection over HTTP without logging control calls', async () => {
    await fetch(`${emu.url}/__emulator/failures`, { method: 'POST', body: JSON.stringify({ preset: 'serverError', times: 1 }) });
    expect((await get('/v1/models', KEYS.proxy)).status).toBe(500);
    const log = (await (await fetch(`${emu.url}/__emulator/requests`)).json()) as Array<{ path: string }>;
    expect(log.map((e) => e.path)).toEqual(['/v1/models']);
    await fetch(`${emu.url}/__emulator/reset`, { method: 'POST' });
    expect(emu.requests).toHaveLength(0);
  });
});

describe('tls and standalone', () => {
  const httpsGet = (url: string, ca?: string): Promise<{ status?: number; cn?: string; code?: string }> =>
    new Promise((resolve) => {
      const req = https.get(`${url}/v1/models`, { ca, agent: false, headers: bearer(KEYS.proxy) }, (res) => {
        const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        res.resume();
        resolve({ status: res.statusCode, cn: String(cert.subject.CN) });
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ code: e.code }));
    });

  it('serves HTTPS that is trusted with TLS_CERT and refused without it, or with the expired cert', async () => {
    const secure = await startEmulator({ tls: true });
    const expired = await startEmulator({ tls: 'expired' });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(await httpsGet(secure.url, TLS_CERT)).toEqual({ status: 200, cn: 'localhost' });
      expect((await httpsGet(secure.url)).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect((await httpsGet(expired.url)).code).toBe('CERT_HAS_EXPIRED');
    } finally {
      await Promise.all([secure.close(), expired.close()]);
    }
  });

  it('runs standalone: prints its URL and keys as JSON, exits 0 on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--balance', '7', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.on('exit', (code) => reject(new Error(`cli exited ${code}`)));
    });
    const info = JSON.parse(line) as { url: string; keys: typeof KEYS };
    expect(info.keys.proxy).toBe(KEYS.proxy);
    const r = await fetch(`${info.url}/api/balance`, { headers: bearer(KEYS.billing) });
    expect(await r.json()).toEqual({ balance: 7 });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
