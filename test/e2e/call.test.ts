import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, KEYS, PRESETS, type Emulator, type FailureRule } from '../emulator/server.js';
import { closedPort, emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli, emptyDir } from '../helpers/run-cli.js';

let emu: Emulator;
const env = (extra: Record<string, string | undefined> = {}) => emulatorEnv(emu, extra);

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
});

describe('call: success', () => {
  it('prints the body of GET /v1/models and exits 0', async () => {
    const r = await runCli(['call', '/v1/models'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).data.map((m: { id: string }) => m.id)).toContain('gpt-4o');
    expect(emu.requests[0]?.headers.authorization).toBe(`Bearer ${KEYS.proxy}`);
    expectNoKeys(r);
  });

  it('sends the billing key to /api paths and prints one JSON document with --json', async () => {
    const r = await runCli(['call', '/api/balance', '--json'], { env: env() });
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'call', ok: true, exitCode: 0, exitReason: 'ok', diagnoses: [] });
    expect(doc.response.body).toEqual({ balance: 42.5 });
    expect(emu.requests[0]?.headers.authorization).toBe(`Bearer ${KEYS.billing}`);
    expectNoKeys(r);
  });

  it('retries 429 with Retry-After: 1 twice, shows both attempts, then succeeds after at least 2 s', async () => {
    emu.state.failures.push({ ...PRESETS.rateLimited, match: { path: '/v1/models' }, times: 2 } as FailureRule);
    const r = await runCli(['call', '/v1/models'], { env: env() });
    expect(r.code).toBe(0);
    expect(emu.requests).toHaveLength(3);
    const gap = emu.requests[2]!.startedAt - emu.requests[0]!.startedAt;
    expect(gap).toBeGreaterThanOrEqual(2000);
    expect(r.stderr).toMatch(/attempt 1: HTTP 429 — retrying in 1 s \(Retry-After: 1\)/);
    expect(r.stderr).toMatch(/attempt 2: HTTP 429 — retrying in 1 s/);
    expect(r.stderr).toMatch(/succeeded after 3 attempts/);
  });

  it('sends --data from a file as JSON with POST', async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'req.json'), JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
    const r = await runCli(['call', 'POST', '/v1/chat/completions', '--data', '@req.json'], { env: env(), cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).choices).toHaveLength(1);
    expect(emu.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('reads --data - from standard input', async () => {
    const r = await runCli(['call', 'POST', '/v1/embeddings', '--data', '-'], {
      env: env(),
      stdin: JSON.stringify({ model: 'text-embedding-3-small', input: 'hi' }),
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).data[0].embedding.length).toBeGreaterThan(0);
  });

  it('--include prints the status line and headers before the body', async () => {
    const r = await runCli(['call', '/api/balance', '--include'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP 200\n/);
    expect(r.stdout).toMatch(/content-type: application\/json/);
    expect(r.stdout).toContain('{"balance":42.5}');
  });

  it("--stream: a stream that ends with Anthropic's message_stop is complete, as the diagnosis engine reads it", async () => {
    emu.state.failures.push({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: 'event: content_block_delta\ndata: {"type":"content_block_delta"}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n',
    });
    const r = await runCli([...['call', 'POST', '/v1/chat/completions', '--data', '{"model":"gpt-4o","messages":[]}'], '--stream'], {
      env: env(),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/message_stop/);
  });

  it('--stream: an OpenAI Responses stream ends with response.completed and no [DONE]: complete, exit 0 (issue 14)', async () => {
    emu.state.failures.push({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body:
        'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress"}}\n\n' +
        'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":1,"delta":"Hi"}\n\n' +
        'event: response.completed\ndata: {"type":"response.completed","sequence_number":2,"response":{"id":"resp_1","status":"completed"}}\n\n',
    });
    const r = await runCli(['call', 'POST', '/v1/responses', '--data', '{"model":"gpt-4o","input":"hi"}', '--stream'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('response.completed');
    expect(r.stderr).not.toContain('stream.interrupted');
  });

  it('--stream: a Responses stream whose response.failed says server_error is the server class (exit 9), not interrupted', async () => {
    emu.state.failures.push({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body:
        'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress"}}\n\n' +
        'event: response.failed\ndata: {"type":"response.failed","sequence_number":1,"response":{"id":"resp_1","status":"failed","error":{"code":"server_error","message":"An error occurred while processing your request."}}}\n\n',
    });
    const r = await runCli(['call', 'POST', '/v1/responses', '--data', '{"model":"gpt-4o","input":"hi"}', '--stream', '--json'], {
      env: env(),
    });
    expect(r.json().diagnoses[0]).toMatchObject({ id: 'server.error', category: 'server' });
    expect(r.json().exitReason).toBe('server');
    expect(r.code).toBe(9);
  });

  it('--stream --include prints the status block first, then the events', async () => {
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const r = await runCli(['call', 'POST', '/v1/chat/completions', '--stream', '--include', '--data', body], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP 200\ncontent-type: text\/event-stream[\s\S]*\n\ndata: \{/);
  });

  it('resolves .. in the path before choosing the key: /v1/../api/balance gets the billing key', async () => {
    const r = await runCli(['call', '/v1/../api/balance'], { env: env() });
    expect(r.code).toBe(0);
    expect(emu.requests[0]?.path).toBe('/api/balance');
    expect(emu.requests[0]?.headers.authorization).toBe(`Bearer ${KEYS.billing}`);
  });

  it('--stream prints every event as it arrives, ending with [DONE]', async () => {
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const r = await runCli(['call', 'POST', '/v1/chat/completions', '--stream', '--data', body], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(emu.requests[0]!.body).stream).toBe(true);
    expect(r.stdout).toMatch(/data: \{.*chat\.completion\.chunk/);
    expect(r.stdout.trim().endsWith('data: [DONE]')).toBe(true);
  });
});

interface Case {
  name: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  setup?: (e: Emulator) => void;
  id: string | string[];
  code: number;
  /** Text the human output must contain (the remedy). */
  says: RegExp;
  /** Requests the emulator must have seen (default: any). */
  requests?: number;
}

const chat = (model: string) => [
  'call',
  'POST',
  '/v1/chat/completions',
  '--data',
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
];

const CASES: Case[] = [
  {
    name: 'no proxy key',
    env: { MODELSWITCH_API_KEY: undefined },
    id: 'config.missing-api-key',
    code: 3,
    says: /MODELSWITCH_API_KEY/,
    requests: 0,
  },
  {
    name: '/api with only a proxy key configured',
    args: ['call', '/api/balance'],
    env: { MODELSWITCH_BILLING_KEY: undefined },
    id: 'config.missing-billing-key',
    code: 3,
    says: /mk-[\s\S]*MODELSWITCH_BILLING_KEY/,
    requests: 0,
  },
  {
    name: 'an ms- key given as --billing-key',
    args: ['call', '/api/balance', '--billing-key', KEYS.proxy],
    env: { MODELSWITCH_BILLING_KEY: undefined },
    id: ['key.wrong-kind', 'key.swapped'],
    code: 3,
    says: /mk-/,
    requests: 0,
  },
  {
    name: 'swapped keys',
    env: { MODELSWITCH_API_KEY: KEYS.billing, MODELSWITCH_BILLING_KEY: KEYS.proxy },
    id: 'key.swapped',
    code: 3,
    says: /swap/i,
    requests: 0,
  },
  {
    name: 'a key with a trailing newline',
    env: { MODELSWITCH_API_KEY: `${KEYS.proxy}\n` },
    id: 'key.malformed',
    code: 3,
    says: /newline/,
    requests: 0,
  },
  { name: 'a key in quotes', env: { MODELSWITCH_API_KEY: `"${KEYS.proxy}"` }, id: 'key.malformed', code: 3, says: /quote/, requests: 0 },
  {
    name: 'a wrong-case prefix',
    env: { MODELSWITCH_API_KEY: KEYS.proxy.replace('ms-', 'MS-') },
    id: 'key.malformed',
    code: 3,
    says: /case-sensitive/,
    requests: 0,
  },
  {
    name: 'an OpenAI key',
    env: { MODELSWITCH_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwxyz012345' },
    id: 'key.foreign-format',
    code: 3,
    says: /OpenAI/,
    requests: 0,
  },
  {
    name: 'a bad base URL',
    env: { MODELSWITCH_BASE_URL: 'ftp://example.invalid' },
    id: 'config.bad-base-url',
    code: 3,
    says: /scheme/,
    requests: 0,
  },
  {
    name: 'an unknown key',
    env: { MODELSWITCH_API_KEY: KEYS.proxyUnknown },
    id: 'auth.invalid-key',
    code: 4,
    says: /Authorization: Bearer ms-/,
  },
  {
    name: 'a deactivated key (403, follow-up finds it)',
    env: { MODELSWITCH_API_KEY: KEYS.proxyInactive },
    id: 'auth.deactivated-key',
    code: 4,
    says: /apidoctor keys|GET \/api\/keys/,
  },
  {
    name: 'zero balance as 403 (follow-up finds it)',
    setup: (e) => (e.state.balance = 0),
    id: 'balance.insufficient',
    code: 5,
    says: /top up|Top up/,
  },
  {
    name: 'zero balance as 402',
    setup: (e) => ((e.state.balance = 0), (e.state.balanceStatus = 402)),
    id: 'balance.insufficient',
    code: 5,
    says: /top up|Top up/,
  },
  {
    name: 'spend limit (403, by elimination)',
    setup: (e) => (e.state.spendLimitReached = { 1: true }),
    id: 'key.spend-limit',
    code: 5,
    says: /spend limit/i,
  },
  {
    name: '403 with no billing key to settle it',
    env: { MODELSWITCH_BILLING_KEY: undefined },
    setup: (e) => (e.state.balance = 0),
    id: 'access.denied',
    code: 4,
    says: /GET \/api\/balance[\s\S]*GET \/api\/keys[\s\S]*(mk-|billing key)/,
  },
  {
    name: '/api/balance refusing the mk- key (JWT route)',
    args: ['call', '/api/balance'],
    setup: (e) => (e.state.jwtOnlyRoutes = true),
    id: 'access.dashboard-token',
    code: 4,
    says: /dashboard/i,
  },
  {
    name: 'an unknown model',
    args: chat('gpt-9-imaginary'),
    id: 'model.not-found',
    code: 1,
    says: /GET \/v1\/models|apidoctor call \/v1\/models/,
  },
  {
    name: 'a bad request',
    args: ['call', 'POST', '/v1/chat/completions', '--data', '{"model":"gpt-4o"}'],
    id: 'request.invalid',
    code: 1,
    says: /messages/,
  },
  { name: 'an unknown path', args: ['call', '/v1/nothing-here'], id: 'resource.not-found', code: 1, says: /path|base URL|exist/i },
  {
    name: '500',
    args: ['call', '/v1/models', '--retries', '0'],
    setup: (e) => e.state.failures.push({ ...PRESETS.serverError }),
    id: 'server.error',
    code: 9,
    says: /support/i,
  },
  {
    name: '502',
    args: ['call', '/v1/models', '--retries', '0'],
    setup: (e) => e.state.failures.push({ ...PRESETS.badGateway }),
    id: 'provider.error',
    code: 9,
    says: /different model/,
  },
  {
    name: '503',
    args: ['call', '/v1/models', '--retries', '0'],
    setup: (e) => e.state.failures.push({ ...PRESETS.unavailable }),
    id: 'service.unavailable',
    code: 9,
    says: /minutes/,
  },
  {
    name: '529 overloaded',
    args: ['call', '/v1/models', '--retries', '0'],
    setup: (e) => e.state.failures.push({ ...PRESETS.overloaded }),
    id: 'service.unavailable',
    code: 9,
    says: /retry|Retry/,
  },
  {
    name: 'an HTML 502 from nginx',
    args: ['call', '/v1/models', '--retries', '0'],
    setup: (e) => e.state.failures.push({ ...PRESETS.html502 }),
    id: ['server.error', 'provider.error'],
    code: 9,
    says: /HTML|page/,
  },
  {
    name: '429 after the retries',
    args: ['call', '/v1/models', '--retries', '0'],
    setup: (e) => e.state.failures.push({ ...PRESETS.rateLimited }),
    id: 'rate.limited',
    code: 6,
    says: /1 s[\s\S]*doubl/,
  },
  {
    name: '429 insufficient_quota is a balance problem, not retried',
    args: ['call', '/v1/models'],
    setup: (e) => e.state.failures.push({ ...PRESETS.insufficientQuota429 }),
    id: 'balance.insufficient',
    code: 5,
    says: /top up|Top up/,
    requests: 1,
  },
  {
    name: '200 with an HTML page',
    setup: (e) => e.state.failures.push({ ...PRESETS.htmlOk }),
    id: 'response.not-json',
    code: 10,
    says: /base URL/,
  },
  {
    name: '200 with the wrong shape',
    setup: (e) => e.state.failures.push({ ...PRESETS.wrongShape }),
    id: 'response.bad-shape',
    code: 10,
    says: /model list/,
  },
  {
    name: 'a stream cut short',
    args: [...chat('gpt-4o'), '--stream'],
    setup: (e) => e.state.failures.push({ ...PRESETS.streamCut }),
    id: 'stream.interrupted',
    code: 10,
    says: /DONE|cut|ended/i,
  },
  {
    name: 'an error event inside a 200 stream',
    args: [...chat('gpt-4o'), '--stream'],
    setup: (e) => e.state.failures.push({ ...PRESETS.streamErrorEvent }),
    id: 'server.error',
    code: 9,
    says: /stream/,
  },
  {
    name: 'a connection reset',
    args: ['call', '/v1/models', '--retries', '0'],
    setup: (e) => e.state.failures.push({ ...PRESETS.reset }),
    id: 'network.reset',
    code: 7,
    says: /reset|closed/i,
  },
  {
    name: 'no answer within the timeout',
    args: ['call', '/v1/models', '--timeout', '800'],
    setup: (e) => e.state.failures.push({ ...PRESETS.hang }),
    id: 'network.timeout',
    code: 8,
    says: /timeout/i,
  },
  {
    name: 'a redirect to another host',
    setup: (e) => e.state.failures.push({ kind: 'redirect', status: 302, location: 'http://127.0.0.1:9/v1/models' }),
    id: ['http.unexpected-status', 'config.bad-base-url'],
    code: -1,
    says: /127\.0\.0\.1:9/,
  },
  {
    name: 'a status no rule knows (418)',
    setup: (e) => e.state.failures.push({ status: 418, body: 'I am a teapot' }),
    id: 'http.unexpected-status',
    code: 1,
    says: /418/,
  },
];

describe('--quiet', () => {
  it.each([
    ['a diagnosed answer (404)', ['call', '/v1/nothing-here', '-q'], {}, 1, /^✗ .+ \[resource\.not-found\]\n$/],
    [
      'a problem found before any request (a key with a newline)',
      ['call', '/v1/models', '-q'],
      { MODELSWITCH_API_KEY: `${KEYS.proxy}\n` },
      3,
      /^✗ The key is malformed \[key\.malformed\]\n$/,
    ],
  ] as const)('prints only the verdict line for %s, with the same exit code', async (_what, args, extra, code, verdict) => {
    const r = await runCli([...args], { env: env(extra) });
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(verdict);
    expectNoKeys(r);
  });
  it('explain -q: the id on stdout, the verdict line on stderr', async () => {
    const r = await runCli(['explain', '-', '--status', '429', '-q'], {
      stdin: '{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}',
    });
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('rate.limited\n');
    expect(r.stderr).toMatch(/^✗ .+ \[rate\.limited\]\n$/);
  });
});

describe('call: every diagnosis it can reach', () => {
  for (const c of CASES) {
    it(`${c.name} → ${[c.id].flat().join(' | ')}`, async () => {
      c.setup?.(emu);
      const args = c.args ?? ['call', '/v1/models'];
      const human = await runCli(args, { env: env(c.env) });
      const requestsAfterHuman = emu.requests.length;
      const json = await runCli([...args, '--json'], { env: env(c.env) });
      let doc: Record<string, any>;
      try {
        doc = json.json();
      } catch {
        throw new Error(`--json did not print one JSON document (exit ${json.code}):\n${json.stdout}\n${json.stderr}`);
      }
      const ids = [c.id].flat();
      expect(ids).toContain(doc.diagnoses[0]?.id);
      if (c.code >= 0) {
        expect(human.code).toBe(c.code);
        expect(doc.exitCode).toBe(c.code);
      } else {
        expect(human.code).toBe(doc.exitCode);
      }
      expect(json.code).toBe(doc.exitCode);
      expect(doc.ok).toBe(false);
      expect(human.stderr).toMatch(c.says);
      expect(human.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
      if (c.requests !== undefined) expect(requestsAfterHuman).toBe(c.requests);
      expectNoKeys(human);
      expectNoKeys(json);
    });
  }

  it('a refused connection → network.refused, exit 7', async () => {
    const port = await closedPort();
    const r = await runCli(['call', '/v1/models', '--json'], { env: env({ MODELSWITCH_BASE_URL: `http://127.0.0.1:${port}` }) });
    expect(r.code).toBe(7);
    expect(r.json().diagnoses[0].id).toBe('network.refused');
  });

  it('a host that does not resolve → network.dns, exit 7', async () => {
    const r = await runCli(['call', '/v1/models', '--json', '--timeout', '3000'], {
      env: env({ MODELSWITCH_BASE_URL: 'http://apidoctor-test.invalid' }),
    });
    expect(r.code).toBe(7);
    expect(['network.dns', 'network.timeout']).toContain(r.json().diagnoses[0].id);
  });

  it('a TLS failure (self-signed certificate) → network.tls, exit 7', async () => {
    const tlsEmu = await startEmulator({ tls: true });
    try {
      const r = await runCli(['call', '/v1/models', '--json'], {
        env: env({ MODELSWITCH_BASE_URL: tlsEmu.url.replace('127.0.0.1', 'localhost') }),
      });
      expect(r.code).toBe(7);
      expect(r.json().diagnoses[0].id).toBe('network.tls');
    } finally {
      await tlsEmu.close();
    }
  });

  it('a server that echoes the key back cannot make apidoctor print it', async () => {
    emu.state.failures.push({ ...PRESETS.echoKey });
    const r = await runCli(['call', '/v1/models', '--verbose', '--include'], { env: env() });
    expect(r.code).toBe(4);
    expect(r.stderr + r.stdout).toMatch(/ms-test…[0-9a-f]{4}/);
    expectNoKeys(r);
  });
});

describe('call: usage errors', () => {
  it('an unknown flag exits 2 with one JSON document under --json', async () => {
    const r = await runCli(['call', '/v1/models', '--bogus', '--json'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ ok: false, exitCode: 2, exitReason: 'usage' });
    expect(r.json().error.message).toMatch(/--bogus/);
  });

  it('invalid JSON in --data exits 2 and sends nothing', async () => {
    const r = await runCli(['call', 'POST', '/v1/chat/completions', '--data', '{nope'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--data is not valid JSON/);
    expect(emu.requests).toHaveLength(0);
  });

  it('a full URL is refused so that keys go only to the configured host', async () => {
    const r = await runCli(['call', 'https://elsewhere.invalid/v1/models'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--base-url/);
  });
});
