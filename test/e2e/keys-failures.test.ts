/**
 * `keys create` and `keys rotate` after a failed or odd answer (issue 10, finding 4). The emulator
 * creates the key first and then loses the answer (`applyFirst`), as a real gateway can: the advice
 * must be to look before trying again (a blind retry makes a second, orphan key), and a key found in
 * an answer of another shape must still be shown, once, since it can never be shown again.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type FailureRule } from '../emulator/server.js';
import { emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli, type CliRun, flat } from '../helpers/run-cli.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
});

async function cli(args: string[]): Promise<CliRun> {
  const r = await runCli(['keys', ...args], { env: emulatorEnv(emu) });
  expectNoKeys(r);
  return r;
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
const POST_KEYS = { method: 'POST', path: '/api/keys' };

/** Failures of POST /api/keys after which the key exists on the account. */
const LOST_ANSWERS: Array<[string, FailureRule]> = [
  [
    'a 500',
    {
      status: 500,
      body: { error: { message: 'Internal server error', type: 'server_error', code: 'internal_error' } },
      match: POST_KEYS,
      times: 1,
      applyFirst: true,
    },
  ],
  [
    'an HTML 502 page',
    { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', match: POST_KEYS, times: 1, applyFirst: true },
  ],
  ['a reset', { kind: 'reset', match: POST_KEYS, times: 1, applyFirst: true }],
  [
    'a reset mid-body',
    {
      kind: 'resetMidBody',
      status: 200,
      bytes: 5,
      body: '{"id": 3, "key": "ms-00000000000000000000000000000000"}',
      match: POST_KEYS,
      times: 1,
      applyFirst: true,
    },
  ],
  ['a timeout', { kind: 'hang', match: POST_KEYS, times: 1, applyFirst: true }],
  ['a 200 that is not JSON', { status: 200, body: 'OK', match: POST_KEYS, times: 1, applyFirst: true }],
];

describe('a POST /api/keys whose answer is lost: look before trying again', () => {
  for (const [what, rule] of LOST_ANSWERS) {
    it(`create after ${what}: a key named X may exist, check with apidoctor keys; no blind retry`, async () => {
      emu.state.failures.push({ ...rule });
      const name = `lost ${what}`;
      const r = await cli(['create', '--name', name, '--yes', '--timeout', '1500']);
      expect(r.code, r.stderr).not.toBe(0);
      // The advice is right: the key does exist.
      expect(emu.state.keys.some((k) => k.name === name)).toBe(true);
      expect(flat(r.stderr)).toContain(`a key named "${name}" may already exist`);
      expect(flat(r.stderr)).toContain('apidoctor keys');
      expect(flat(r.stderr)).toMatch(/Before trying again, check whether a key named .* was created: apidoctor keys/);
      expect(r.stderr).not.toMatch(/^\s+\d+\. (Retry|Try again)/im);

      emu.reset();
      emu.state.failures.push({ ...rule });
      const j = await cli(['create', '--name', name, '--yes', '--timeout', '1500', '--json']);
      const d = j.json().diagnoses[0];
      expect(d.retryable).toBe(false);
      expect(d.notes.join(' ')).toContain(`a key named "${name}" may already exist`);
      expect(d.remedies[0]).toContain('apidoctor keys');
      expect(d.remedies.join('\n')).toContain(`apidoctor keys create --name '${name}'`);
    });
  }

  it('rotate after a 500: the new key may exist, and the old key is unchanged', async () => {
    emu.state.failures.push({ ...LOST_ANSWERS[0]![1] });
    const r = await cli(['rotate', '1', '--name', 'Production 2', '--yes', '--json']);
    expect(r.json()).toMatchObject({ exitCode: 9, exitReason: 'server' });
    const d = r.json().diagnoses[0];
    const notes = d.notes.join(' ');
    expect(notes).toContain('a key named "Production 2" may already exist');
    expect(notes).toContain('The old key #1 "Production" (ms-test0goo) is unchanged');
    expect(d.remedies.join('\n')).toContain("apidoctor keys rotate 1 --name 'Production 2'");
    expect(emu.state.keys.find((k) => k.id === 1)).toMatchObject({ active: true });
  });

  it('a definite refusal (400) is not said to have created anything', async () => {
    const r = await cli(['create', '--name', 'x', '--yes', '--json']);
    expect(r.code).toBe(0);
    emu.reset();
    emu.state.failures.push({
      status: 400,
      body: { error: { message: "'name' is too long", type: 'invalid_request_error', code: 'invalid_request' } },
      match: POST_KEYS,
      times: 1,
    });
    const bad = await cli(['create', '--name', 'y', '--yes', '--json']);
    expect(bad.code).not.toBe(0);
    expect(JSON.stringify(bad.json().diagnoses)).not.toContain('may already exist');
  });
});

describe('a 2xx of another shape that holds the new key: shown once all the same', () => {
  const KEY = 'ms-odd0shape0key0a1b2c3d4e5f6a7b8c9d0';
  const SHAPES: Array<[string, object]> = [
    ['{"data": {"key": …}}', { data: { id: 9, key: KEY } }],
    ['{"apiKey": …}', { apiKey: KEY, id: 9 }],
    ['{"result": {"api_key": {"value": …}}}', { result: { api_key: { value: KEY } } }],
  ];
  for (const [shape, body] of SHAPES) {
    it(`${shape}: the key on stdout once, a note that the answer was odd`, async () => {
      emu.state.failures.push({ status: 201, body, match: POST_KEYS, times: 1 });
      const r = await cli(['create', '--name', 'odd', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${KEY}\n`);
      expect(count(r.stdout + r.stderr, KEY)).toBe(1);
      expect(r.stderr).toMatch(/not the documented \{"id", "key"\}/);
      expect(r.stderr).toContain('cannot be shown again');

      emu.state.failures.push({ status: 200, body, match: POST_KEYS, times: 1 });
      const j = await cli(['create', '--name', 'odd', '--yes', '--json']);
      expect(j.code).toBe(0);
      expect(j.json().created.key).toBe(KEY);
      expect(count(j.stdout + j.stderr, KEY)).toBe(1);
    });
  }

  it('an answer cut after the key: the key is shown once, with a note that the answer was cut', async () => {
    const body = `{"id": 9, "key": "${KEY}", "name": "cut", "createdAt": "2026-01-01T00:00:00Z"}`;
    emu.state.failures.push({
      kind: 'resetMidBody',
      status: 200,
      bytes: body.indexOf(KEY) + KEY.length + 2,
      body,
      match: POST_KEYS,
      times: 1,
    });
    const r = await cli(['create', '--name', 'cut', '--yes']);
    expect(r.stdout).toBe(`${KEY}\n`);
    expect(count(r.stdout + r.stderr, KEY)).toBe(1);
    expect(flat(r.stderr)).toContain('it was cut off');
  });
});

describe('keys delete --yes of the configured key warns before it deletes', () => {
  it('the warning comes even when the DELETE then fails', async () => {
    emu.state.failures.push({
      status: 500,
      body: { error: { message: 'boom', type: 'server_error', code: 'internal_error' } },
      match: { method: 'DELETE', path: '/api/keys/1' },
      times: 1,
    });
    const r = await cli(['delete', '1', '--yes']);
    expect(r.code).not.toBe(0);
    expect(flat(r.stderr)).toMatch(
      /This is the proxy key apidoctor is configured with \(from MODELSWITCH_API_KEY\)\. apidoctor's own checks will fail with it once it is deleted/,
    );
  });

  it('and before the result when it succeeds', async () => {
    const r = await cli(['delete', '1', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("apidoctor's own checks will fail with it once it is deleted");
    expect(emu.state.keys.map((k) => k.id)).toEqual([2]);
  });
});
