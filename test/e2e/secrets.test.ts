/**
 * Secrets: a key from a flag, the environment or a config file never reaches stdout, stderr or a
 * file apidoctor writes — in every command and format, with --verbose, in errors, and when the
 * server echoes the key back (in its message, a header, a redirect's Location, a stream split into
 * small chunks, or a message long enough that apidoctor quotes only its beginning). And apidoctor
 * follows no redirect: another host gets no request at all.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, KEYS, PRESETS, type Emulator } from '../emulator/server.js';
import { emptyDir, runCli, streamChatArgs, type CliRun } from '../helpers/run-cli.js';
import { startHostileServer, type HostileServer } from '../helpers/hostile-server.js';

/** Every key the tests use; masked forms show the kind prefix, 4 characters and the last 4. */
const SECRETS = [KEYS.proxy, KEYS.billing, KEYS.proxyInactive, KEYS.jwt];

/** Any 9 characters of a key in a row (after its kind prefix) are more than its masked form shows. */
function expectNoKey(r: CliRun | string, what = ''): void {
  const texts = typeof r === 'string' ? { file: r } : { stdout: r.stdout, stderr: r.stderr };
  for (const [where, text] of Object.entries(texts)) {
    for (const key of SECRETS) {
      const from = /^(ms-|mk-)/.test(key) ? 3 : 0;
      for (let i = from; i + 9 <= key.length; i++) {
        const piece = key.slice(i, i + 9);
        if (text.includes(piece))
          expect.fail(
            `${what}: ${where} shows "${piece}" of a key:\n${text.slice(Math.max(0, text.indexOf(piece) - 200), text.indexOf(piece) + 200)}`,
          );
      }
    }
  }
  if (typeof r !== 'string') expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

type Source = 'flag' | 'env' | 'file' | 'yaml';

/** The keys (and base URL) from one source; returns the args, env and cwd for runCli. */
function setup(
  source: Source,
  baseUrl: string,
  keys: { apiKey?: string; billingKey?: string } = { apiKey: KEYS.proxy, billingKey: KEYS.billing },
) {
  const cwd = emptyDir();
  const args: string[] = [];
  const env: Record<string, string> = {};
  if (source === 'flag') {
    args.push('--base-url', baseUrl);
    if (keys.apiKey !== undefined) args.push('--api-key', keys.apiKey);
    if (keys.billingKey !== undefined) args.push('--billing-key', keys.billingKey);
  } else if (source === 'env') {
    env.MODELSWITCH_BASE_URL = baseUrl;
    if (keys.apiKey !== undefined) env.MODELSWITCH_API_KEY = keys.apiKey;
    if (keys.billingKey !== undefined) env.MODELSWITCH_BILLING_KEY = keys.billingKey;
  } else if (source === 'file') {
    writeFileSync(join(cwd, '.apidoctorrc.json'), JSON.stringify({ baseUrl, ...keys }));
  } else {
    writeFileSync(
      join(cwd, 'apidoctor.yaml'),
      `baseUrl: ${baseUrl}\n${Object.entries(keys)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join('\n')}\n`,
    );
    args.push('--config', 'apidoctor.yaml');
  }
  return { args, env, cwd };
}

/** Every command in every output format. */
const COMMANDS: string[][] = [
  ['doctor'],
  ['doctor', '--json'],
  ['doctor', '--format', 'github'],
  ['doctor', '--format', 'junit'],
  ['balance'],
  ['balance', '--json'],
  ['balance', '--format', 'value'],
  ['balance', '--format', 'openmetrics'],
  ['keys'],
  ['keys', '--json'],
  ['keys', 'show', '1'],
  ['call', '/v1/models'],
  ['call', '/v1/models', '--json', '--include'],
  ['call', '/api/balance', '--include'],
  ['call', 'POST', '/v1/chat/completions', '--data', '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}', '--stream'],
];
const SOURCES: Source[] = ['flag', 'env', 'file', 'yaml'];

let emu: Emulator;
let echo: Emulator;
let hostile: HostileServer;
let elsewhere: HostileServer;
beforeAll(async () => {
  [emu, echo, hostile, elsewhere] = await Promise.all([
    startEmulator(),
    startEmulator(),
    startHostileServer(),
    startHostileServer({ kind: 'respond', status: 200, body: '{"data":[]}' }),
  ]);
  echo.state.failures.push({ ...PRESETS.echoKey });
});
afterAll(async () => {
  await Promise.all([emu?.close(), echo?.close(), hostile?.close(), elsewhere?.close()]);
});

describe('keys from every source never reach output, in every command and format, with --verbose', () => {
  // The emulator answers normally: doctor, balance and keys print their reports, with sources and prefixes.
  // Each command once, the sources taking turns, so that every source meets every kind of command.
  const cases = COMMANDS.map((c, i) => [SOURCES[i % SOURCES.length]!, c, i % 2 === 0] as const);
  it.concurrent.each(cases)('keys from %s: %j (verbose: %s)', async (source, command, verbose) => {
    const { args, env, cwd } = setup(source, emu.url);
    const summary = join(cwd, 'summary.md');
    const r = await runCli([...command, ...args, ...(verbose ? ['--verbose'] : [])], {
      env: { ...env, GITHUB_STEP_SUMMARY: summary },
      cwd,
    });
    expect(r.code, r.stderr).not.toBeNull();
    expectNoKey(r, `${command.join(' ')} (${source})`);
    if (command.includes('github')) expectNoKey(readFileSync(summary, 'utf8'), 'GITHUB_STEP_SUMMARY');
  });
});

describe('a server that echoes the key back cannot make apidoctor print it', () => {
  it.concurrent.each(COMMANDS.map((c, i) => [SOURCES[(i + 1) % SOURCES.length]!, c] as const))(
    'keys from %s: %j against a server that echoes the key',
    async (source, command) => {
      // echoKey: 401 whose error.message and x-echo-key header hold the full key that was sent.
      const { args, env, cwd } = setup(source, echo.url);
      const r = await runCli([...command, ...args, '--verbose'], { env, cwd });
      expect([3, 4]).toContain(r.code); // 401 → auth (4); a refused key kind → config (3)
      expectNoKey(r, `${command.join(' ')} (${source})`);
    },
  );

  it('{"error":{"message":"Invalid API key ms-…the full key…"}} in the body, a header and a Location', async () => {
    const body = JSON.stringify({
      error: { message: `Invalid API key ${KEYS.proxy}`, type: 'authentication_error', code: 'invalid_api_key' },
    });
    hostile.serve('issue', {
      kind: 'respond',
      status: 401,
      headers: [
        ['content-type', 'application/json'],
        ['x-debug-key', KEYS.proxy],
        ['www-authenticate', `Bearer realm="${KEYS.proxy}"`],
        ['location', `https://example.invalid/?key=${KEYS.proxy}`],
      ],
      body,
    });
    await Promise.all(
      [[], ['--json'], ['--verbose', '--include'], ['--json', '--verbose']].map(async (extra) => {
        const r = await runCli(['call', '/v1/models', '--base-url', `${hostile.url}/issue`, '--api-key', KEYS.proxy, ...extra]);
        expect(r.code).toBe(4);
        expectNoKey(r, `call ${extra.join(' ')}`);
        if (extra.includes('--json'))
          expect(r.json().diagnoses[0]).toMatchObject({
            id: 'auth.invalid-key',
            evidence: { message: expect.stringMatching(/^Invalid API key ms-test…b8c9$/) },
          });
      }),
    );
    const d = await runCli([
      'doctor',
      '--json',
      '--base-url',
      `${hostile.url}/issue`,
      '--api-key',
      KEYS.proxy,
      '--billing-key',
      KEYS.billing,
    ]);
    expect(d.code).toBe(4);
    expectNoKey(d, 'doctor');
  });

  it('a message padded so that the key falls where apidoctor cuts its quote (80 and 300 characters)', async () => {
    const prefix = 'Invalid API key ';
    await Promise.all(
      [62, 70, 76, 79, 281, 288, 294, 299].map(async (at) => {
        const message = prefix + 'x'.repeat(at - prefix.length) + KEYS.proxy + ' was rejected';
        hostile.serve(`cut${at}`, {
          kind: 'respond',
          status: 401,
          headers: [['content-type', 'application/json']],
          body: JSON.stringify({ error: { message, type: 'authentication_error' } }),
        });
        const call = await runCli(['call', '/v1/models', '--base-url', `${hostile.url}/cut${at}`, '--api-key', KEYS.proxy]);
        expect(call.code).toBe(4);
        expectNoKey(call, `call, key at ${at}`);
        const doctor = await runCli(['doctor', '--base-url', `${hostile.url}/cut${at}`, '--api-key', KEYS.proxy]);
        expectNoKey(doctor, `doctor, key at ${at}`);
      }),
    );
  });

  it('a stream that echoes the key in chunks of a few bytes (call --stream)', async () => {
    const sse = `data: {"choices":[{"delta":{"content":"your key is ${KEYS.proxy}, keep it safe"}}]}\n\ndata: {"key":"${KEYS.proxy}"}\n\ndata: [DONE]\n\n`;
    const runs = [3, 7, 11].flatMap((chunkBytes) => {
      hostile.serve(`sse${chunkBytes}`, { kind: 'drip', status: 200, contentType: 'text/event-stream', body: sse, chunkBytes, delayMs: 5 });
      return [[], ['--json']].map(async (extra) => {
        const r = await runCli(streamChatArgs(`${hostile.url}/sse${chunkBytes}`, KEYS.proxy, ...extra));
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain('ms-test…b8c9'); // the stream itself was printed, masked
        expectNoKey(r, `stream in ${chunkBytes}-byte chunks ${extra.join(' ')}`);
      });
    });
    await Promise.all(runs);
  });

  it('a key the server escaped character by character (JSON \\u00XX, HTML &#NN;, URL %XX) in a body printed as it came', async () => {
    const u = [...KEYS.proxy].map((c) => `\\u00${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    const html = [...KEYS.proxy].map((c, i) => (i % 2 ? `&#${c.charCodeAt(0)};` : c)).join('');
    const pct = [...KEYS.proxy].map((c, i) => (i % 3 ? c : `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('');
    hostile.serve('esc401', {
      kind: 'respond',
      status: 401,
      headers: [
        ['content-type', 'application/json'],
        ['location', `https://example.invalid/?k=${pct}`],
      ],
      body: `{"error":{"message":"Invalid API key ${u}","detail":"<b>${html}</b>"}}`,
    });
    hostile.serve('esc200', {
      kind: 'respond',
      status: 200,
      headers: [['content-type', 'application/json']],
      body: `{"data":[{"id":"${u}"},{"id":"${pct}"}]}`,
    });
    const decode = (t: string) =>
      t.replace(/\\u00([0-9a-f]{2})|&#(\d+);|%([0-9A-F]{2})/gi, (_m, h?: string, d?: string, p?: string) =>
        String.fromCharCode(h ? parseInt(h, 16) : d ? Number(d) : parseInt(p!, 16)),
      );
    const runs = await Promise.all([
      runCli(['call', '/v1/models', '--include', '--verbose', '--base-url', `${hostile.url}/esc401`, '--api-key', KEYS.proxy]),
      runCli(['call', '/v1/models', '--json', '--base-url', `${hostile.url}/esc401`, '--api-key', KEYS.proxy]),
      runCli(['call', '/v1/models', '--include', '--base-url', `${hostile.url}/esc200`, '--api-key', KEYS.proxy]),
    ]);
    expect(runs.map((r) => r.code)).toEqual([4, 4, 0]);
    for (const r of runs) expectNoKey(decode(r.stdout) + decode(r.stderr), 'an escaped echo');
  });

  it('a key the user mistyped (spaces, quotes, "Bearer ", wrong case, a newline, the wrong kind) is not printed either', async () => {
    const variants = [
      ` ${KEYS.proxy} `,
      `"${KEYS.proxy}"`,
      `Bearer ${KEYS.proxy}`,
      KEYS.proxy.replace('ms-', 'MS-'),
      `${KEYS.proxy}\n`,
      KEYS.billing,
      KEYS.jwt,
    ];
    await Promise.all(
      variants.flatMap((key) =>
        [
          ['call', '/v1/models'],
          ['doctor', '--json'],
        ].map(async (command) => {
          const r = await runCli([...command, '--verbose'], { env: { MODELSWITCH_API_KEY: key, MODELSWITCH_BASE_URL: echo.url } });
          expect(r.code).not.toBe(0);
          expectNoKey(r, `${command.join(' ')} with ${JSON.stringify(key.slice(0, 6))}…`);
          expect(r.stdout + r.stderr).not.toContain(KEYS.proxy.slice(3).toUpperCase().slice(0, 12));
        }),
      ),
    );
  });

  it('explain of a saved response that echoes the configured keys, whatever their shape and source', async () => {
    // Mistyped keys: no pattern knows "MS-…" or "mk_…"; only knowing them (from the config file) masks them.
    const odd = { apiKey: KEYS.proxy.replace('ms-', 'MS-'), billingKey: KEYS.billing.replace('mk-', 'mk_') };
    const saved = `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\nx-echo: ${odd.billingKey}\r\n\r\n{"error":{"message":"Invalid API key ${odd.apiKey} (billing ${odd.billingKey})"}}`;
    const runs = await Promise.all(
      (['file', 'yaml', 'env', 'flag'] as const).flatMap((source) => {
        const { args, env, cwd } = setup(source, emu.url, odd);
        writeFileSync(join(cwd, 'saved.txt'), saved);
        return [[], ['--json'], ['--verbose']].map((extra) => runCli(['explain', 'saved.txt', ...args, ...extra], { env, cwd }));
      }),
    );
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(4);
      for (const k of Object.values(odd))
        for (let i = 3; i + 9 <= k.length; i++) expect(r.stdout + r.stderr).not.toContain(k.slice(i, i + 9));
    }
  });

  it('a log given to explain that holds other services’ tokens (GitHub, AWS, Slack, Basic) prints none of them, in text, JSON and GitHub annotations', async () => {
    const part = 'Q7x9Kp2mZ4vB8nL1cR6tY3wE5uH0jS';
    const tokens = [
      'ghp_' + part + 'abcdef',
      'AKIA' + 'IOSFODNN7EXAMPLE',
      'xoxb-1234567890-' + part,
      Buffer.from('ci:' + part).toString('base64'),
    ];
    const log = [
      `2024-05-01T08:00:00Z INFO git push with ${tokens[0]}`,
      `2024-05-01T08:00:01Z ERROR 401 Unauthorized {"error":{"message":"Invalid API key","code":"invalid_api_key"}} aws=${tokens[1]} slack=${tokens[2]}`,
      `2024-05-01T08:00:02Z ERROR 429 Too Many Requests {"error":{"message":"Rate limit exceeded"}} Authorization: Basic ${tokens[3]}`,
    ].join('\n');
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'app.log'), log + '\n');
    const runs = await Promise.all(
      [[], ['--json'], ['--verbose'], ['--format', 'github']].map((extra) => runCli(['explain', 'app.log', ...extra], { cwd })),
    );
    for (const r of runs) {
      expect(r.stdout + r.stderr).toMatch(/auth\.invalid-key|Invalid API key/);
      for (const t of tokens) for (let i = 4; i + 10 <= t.length; i++) expect(r.stdout + r.stderr).not.toContain(t.slice(i, i + 10));
    }
  });

  it('a token passed with --header "Authorization: Bearer …" is not printed', async () => {
    const token = 'sk-ant-api03-Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0';
    const r = await runCli([
      'call',
      '/v1/models',
      '--header',
      `Authorization: Bearer ${token}`,
      '--base-url',
      echo.url,
      '--verbose',
      '--include',
    ]);
    expect(r.code).toBe(4);
    for (let i = 7; i + 9 <= token.length; i++) expect(r.stdout + r.stderr).not.toContain(token.slice(i, i + 9));
  });
});

describe('no redirect is followed: the other host gets no request, and no key is printed', () => {
  it.concurrent.each([301, 302, 303, 307, 308])('%i to another host', async (status) => {
    // "localhost" is another host name than 127.0.0.1 (and another port): a client that followed would send the key there.
    const location = `http://localhost:${elsewhere.port}/v1/models?stolen=${KEYS.proxy}`;
    hostile.serve(`redirect${status}`, { kind: 'respond', status, headers: [['location', location]], body: '' });
    await Promise.all(
      [['call', '/v1/models'], ['call', '/v1/models', '--json', '--verbose'], ['doctor', '--json'], ['balance'], ['keys']].map(
        async (command) => {
          const r = await runCli([
            ...command,
            '--base-url',
            `${hostile.url}/redirect${status}`,
            '--api-key',
            KEYS.proxy,
            '--billing-key',
            KEYS.billing,
          ]);
          expect(r.code, r.stderr).not.toBe(0);
          expect([1, 3, 4, 5, 9, 10]).toContain(r.code);
          expectNoKey(r, `${command.join(' ')} → ${status}`);
        },
      ),
    );
    expect(hostile.requests.some((q) => q.path.startsWith(`/redirect${status}/`))).toBe(true);
    // Only these tests point anywhere near the other host: it must have had no request at all.
    expect(elsewhere.requests, 'the other host got a request').toEqual([]);
  });
});
