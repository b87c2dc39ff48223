/**
 * The library (`import { diagnose } from 'apidoctor'`): each input kind an app catches, read into the CLI's
 * Diagnosis, redacted, with retryAfterMs and the remedies split into advice and commands; and importing the
 * built library loads none of the CLI's modules.
 */
import { execFileSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/lib.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TOKEN = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const PROMPT = 'my confidential prompt about the merger';
let closedPort: number;

beforeAll(async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closedPort = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
});

describe('diagnose(input): each kind of input an app catches', () => {
  it('a plain {status, headers, body}', () => {
    const d = diagnose({
      status: 429,
      headers: { 'retry-after': '7' },
      body: '{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}',
    });
    expect(d.id).toBe('rate.limited');
    expect(d.retryAfterMs).toBe(7000);
    expect(d.evidence.status).toBe(429);
  });

  it('a string (what an SDK printed)', () => {
    const d = diagnose(
      "openai.RateLimitError: Error code: 429 - {'error': {'message': 'You exceeded your current quota', 'type': 'insufficient_quota', 'param': None, 'code': 'insufficient_quota'}}",
    );
    expect(d.id).toBe('balance.insufficient');
    expect(d.category).toBe('balance');
    expect(d.sources.join('; ')).toMatch(/status 429 from “Error code: 429”; body from the Python dict after it/);
  });

  it('an axios error: the response is read, the request (its Authorization header, its body) never echoed', () => {
    const config = {
      url: 'https://modelswitch.io/v1/chat/completions',
      method: 'post',
      headers: { Authorization: `Bearer ${TOKEN}` },
      data: JSON.stringify({ messages: [{ role: 'user', content: PROMPT }] }),
    };
    const err = Object.assign(new Error('Request failed with status code 401'), {
      name: 'AxiosError',
      isAxiosError: true,
      code: 'ERR_BAD_REQUEST',
      config,
      request: { _header: `POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\n` },
      response: {
        status: 401,
        statusText: 'Unauthorized',
        headers: { 'content-type': 'application/json', 'x-request-id': 'req_42' },
        config,
        data: { error: { message: 'Invalid API key', type: 'authentication_error', code: 'invalid_api_key' } },
      },
    });
    const d = diagnose(err);
    expect(d.id).toBe('auth.invalid-key');
    expect(d.evidence.requestId).toBe('req_42');
    const json = JSON.stringify(d);
    expect(json).not.toContain(TOKEN);
    expect(json).not.toContain(PROMPT);
  });

  it("the Vercel AI SDK's APICallError (statusCode, responseHeaders, responseBody): the prompt is never echoed", () => {
    const err = Object.assign(new Error('Insufficient credits'), {
      name: 'AI_APICallError',
      url: 'https://openrouter.ai/api/v1/chat/completions',
      requestBodyValues: { model: 'x', messages: [{ role: 'user', content: PROMPT }] },
      statusCode: 402,
      responseHeaders: { 'content-type': 'application/json' },
      responseBody: '{"error":{"message":"Insufficient credits. Add more using https://openrouter.ai/settings/credits","code":402}}',
      isRetryable: false,
    });
    const d = diagnose(err);
    expect(d.id).toBe('balance.insufficient');
    expect(d.evidence.vendor).toBe('openrouter');
    expect(d.remedies.join('\n')).toMatch(/openrouter\.ai/);
    expect(JSON.stringify(d)).not.toContain(PROMPT);
  });

  it('a real Node system error (a refused connection on a closed loopback port)', async () => {
    const err = await new Promise<Error>((r) => connect(closedPort, '127.0.0.1').on('error', r));
    expect(diagnose(err).id).toBe('network.refused');
  });

  it('a real fetch TypeError whose cause carries the code', async () => {
    const err = await fetch(`http://127.0.0.1:${closedPort}/v1/models`).catch((e: unknown) => e);
    expect(String(err)).toMatch(/fetch failed/);
    const d = diagnose(err);
    expect(d.id).toBe('network.refused');
    expect(d.sources.join('; ')).toMatch(/ECONNREFUSED/);
  });

  it('a Headers instance in options, and a status in options for a bare body', () => {
    const d = diagnose('{"error":{"message":"slow down"}}', { status: 429, headers: new Headers({ 'retry-after-ms': '1500' }) });
    expect(d.id).toBe('rate.limited');
    expect(d.retryAfterMs).toBe(1500);
  });

  it('other vendors’ secrets in what it returns are masked (sk-, sk-ant-, AIza, Bearer, api-key:)', () => {
    const secrets = ['sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx', 'AIzaSyAbCdEfGhIjKlMnOpQrStUvWxYz012345', 'abcdefghijklmnopqrstuvwxyz0123'];
    const d = diagnose(
      `Error code: 401 - {'error': {'message': 'Incorrect API key provided: ${TOKEN} (also ${secrets[0]}, ${secrets[1]}, Authorization: Bearer ${secrets[2]}, api-key: ${secrets[2]})', 'type': 'invalid_request_error', 'code': 'invalid_api_key'}}`,
    );
    const json = JSON.stringify(d);
    for (const s of [TOKEN, ...secrets]) expect(json).not.toContain(s);
    expect(d.id).toBe('auth.invalid-key');
  });

  it('server text comes back with no raw control character: an app that prints it to a terminal is not driven by it', () => {
    const d = diagnose('{"error":{"message":"bad \u001b]52;c;aGk=\u0007 key \u202e txet\u009b2J"}}', { status: 401 });
    const json = JSON.stringify(d);
    expect(json).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(d.evidence.message).toContain('\\x1b]52;c;aGk=\\x07');
    expect(d.id).toBe('auth.invalid-key');
  });

  it('remedies: every step in `remedies` (as the CLI prints them); the CLI-only steps apart in `commands`, the rest in `advice`', () => {
    const d = diagnose({ status: 402, body: '{"error":{"message":"Account balance is insufficient","code":"insufficient_balance"}}' });
    expect(d.id).toBe('balance.insufficient');
    expect([...d.advice, ...d.commands].sort()).toEqual([...d.remedies].sort());
    expect(d.commands.length).toBeGreaterThan(0);
    for (const c of d.commands) expect(c).toMatch(/apidoctor|--|[A-Z]+_[A-Z]+|export /);
    for (const a of d.advice) expect(a).not.toMatch(/\bapidoctor\b|\bMODELSWITCH_/);
    expect(d.advice.join('\n')).toMatch(/Top up in Dashboard → Billing/);
  });

  it('never throws, whatever it is given', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
        getPrototypeOf: () => {
          throw new Error('boom');
        },
      },
    );
    const circular: Record<string, unknown> = { status: 500 };
    circular.self = circular;
    circular.body = circular;
    for (const input of [
      undefined,
      null,
      0,
      NaN,
      Symbol('x'),
      () => 1,
      hostile,
      circular,
      new Uint8Array([0, 1, 2]),
      [],
      { response: null },
    ]) {
      const d = diagnose(input);
      expect(typeof d.id).toBe('string');
      expect(Array.isArray(d.remedies)).toBe(true);
    }
  });
});

describe('the built library (dist/lib.cjs, dist/lib.mjs)', () => {
  const node = (args: string[]) =>
    execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });

  it('require() loads only the library file itself: no commander, chalk, ora (nor any other package)', () => {
    const out = node([
      '-e',
      "const { diagnose } = require('./dist/lib.cjs'); const d = diagnose('connect ECONNREFUSED 127.0.0.1:1'); console.log(JSON.stringify({ id: d.id, loaded: Object.keys(require.cache) }))",
    ]);
    const { id, loaded } = JSON.parse(out) as { id: string; loaded: string[] };
    expect(id).toBe('network.refused');
    expect(loaded.map((p) => p.replace(ROOT, ''))).toEqual(['/dist/lib.cjs']);
  });

  it('import() from ESM works, and the bundles import no package at all', async () => {
    const out = node([
      '--input-type=module',
      '-e',
      "import { diagnose } from './dist/lib.mjs'; console.log(diagnose({ status: 401, body: '{}' }).id)",
    ]);
    expect(out.trim()).toBe('auth.invalid-key');
    const { readFileSync } = await import('node:fs');
    for (const f of ['dist/lib.cjs', 'dist/lib.mjs']) {
      const src = readFileSync(resolve(ROOT, f), 'utf8');
      expect(src, f).not.toMatch(/require\(["'](?!node:)[^"']+["']\)|from ["'](?!node:)[^"'.][^"']*["']/);
      expect(src, f).not.toMatch(/commander|chalk|\bora\b/);
    }
  });
});
