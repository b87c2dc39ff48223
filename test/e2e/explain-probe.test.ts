/**
 * Issue 14: `explain` and `call` on the same 403. Offline, explain leaves the cause open and names --probe;
 * with --probe it asks the account as call does and gives call's diagnosis — only for the configured account's dump.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { emulatorEnv, expectNoKeys } from '../helpers/emulated.js';
import { runCli } from '../helpers/run-cli.js';

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

const chat = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });

/** The 403 the emulator gives a proxy key when the balance is 0, as a user would have saved it. */
async function saved403(): Promise<string> {
  const res = await fetch(`${emu.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEYS.proxy}`, 'content-type': 'application/json' },
    body: chat,
  });
  expect(res.status).toBe(403);
  return res.text();
}

describe('explain --probe settles an open 403 as call does', () => {
  it('call says balance (exit 5); explain offline leaves it open and names --probe; explain --probe says balance too', async () => {
    emu.state.balance = 0;
    const body = await saved403();
    const env = emulatorEnv(emu);

    const call = await runCli(['call', 'POST', '/v1/chat/completions', '--data', chat, '--json'], { env });
    expect(call.code).toBe(5);
    expect(call.json().diagnoses[0].id).toBe('balance.insufficient');

    const offline = await runCli(['explain', '--status', '403', '--json', '-'], { env, stdin: body });
    expect(offline.code).toBe(4);
    const od = offline.json().diagnoses[0];
    expect(od.id).toBe('access.denied');
    const said = [...od.notes, ...od.remedies].join('\n');
    expect(said).toContain('apidoctor explain --probe');
    expect(said).not.toContain('Configure a billing key');

    emu.requests.length = 0;
    const probed = await runCli(['explain', '--status', '403', '--probe', '--json', '-'], { env, stdin: body });
    expect(probed.code).toBe(5);
    expect(probed.json().diagnoses[0].id).toBe('balance.insufficient');
    expect(emu.requests.map((q) => q.path).sort()).toEqual(['/api/balance', '/api/keys']);
    expectNoKeys(probed);
  });

  it('does not probe for a dump from another host, and says why', async () => {
    emu.state.balance = 0;
    const body = await saved403();
    const dump = [
      '* Connected to api.other.example (203.0.113.9) port 443',
      '> POST /v1/chat/completions HTTP/1.1',
      '> Host: api.other.example',
      '>',
      '< HTTP/1.1 403 Forbidden',
      '< Content-Type: application/json',
      '<',
      body,
    ].join('\n');
    emu.requests.length = 0;
    const r = await runCli(['explain', '--probe', '--json', '-'], { env: emulatorEnv(emu), stdin: dump });
    expect(r.code).toBe(4);
    expect(r.json().diagnoses[0].id).toBe('access.denied');
    expect(r.json().diagnoses[0].notes.join(' ')).toMatch(
      /not asked: the dump came from api\.other\.example, the configured base URL is 127\.0\.0\.1:\d+; a dump from someone else's account says nothing about yours/,
    );
    expect(emu.requests).toEqual([]);
  });

  it('without a billing key, --probe says it could not ask (negative)', async () => {
    const r = await runCli(['explain', '--status', '403', '--probe', '--json', '-'], {
      env: emulatorEnv(emu, { MODELSWITCH_BILLING_KEY: undefined }),
      stdin: '{"error":{"message":"Forbidden"}}',
    });
    expect(r.code).toBe(4);
    expect(r.json().diagnoses[0].notes.join(' ')).toContain('no usable billing key is configured');
    expect(emu.requests).toEqual([]);
  });

  it('a 403 sent with the billing key (the wrong kind) is never "by elimination, the spend limit"', async () => {
    // The balance is fine and the configured proxy key is active: `call` would conclude the spend limit, since
    // it knows it sent that key. A saved answer may have been sent with any key.
    const res = await fetch(`${emu.url}/v1/models`, { headers: { authorization: `Bearer ${KEYS.billing}` } });
    expect(res.status).toBe(403);
    const body = await res.text();
    const env = emulatorEnv(emu);

    // curl -si: the dump does not show the key, so only the balance is taken into account.
    const plain = `HTTP/1.1 403 Forbidden\ncontent-type: application/json\n\n${body}`;
    const r1 = await runCli(['explain', '--probe', '--endpoint', '/v1/models', '--json', '-'], { env, stdin: plain });
    const d1 = r1.json().diagnoses[0];
    expect(d1.id).not.toBe('key.spend-limit');
    expect(d1.notes.join(' ')).toContain('does not show which key was sent');

    // curl -v shows the key it sent: a billing key on /v1 is the wrong kind.
    const { host, port } = new URL(emu.url);
    const verbose = [
      `* Connected to ${host} (${host}) port ${port}`,
      '> GET /v1/models HTTP/1.1',
      `> Host: ${host}:${port}`,
      `> Authorization: Bearer ${KEYS.billing}`,
      '>',
      '< HTTP/1.1 403 Forbidden',
      '< content-type: application/json',
      '<',
      body,
    ].join('\n');
    const r2 = await runCli(['explain', '--probe', '--json', '-'], { env, stdin: verbose });
    expect(r2.json().diagnoses[0].id).toBe('key.wrong-kind');
    expect(r2.code).toBe(4); // found by the server's refusal (auth), not before any request (config)
    expectNoKeys(r2);
  });
});
