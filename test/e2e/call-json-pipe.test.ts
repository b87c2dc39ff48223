/**
 * `apidoctor call … | jq`: a JSON answer stays valid JSON on its way out. A key name holding DEL, a C1
 * control or a bidi override is written as a \uXXXX escape — the same JSON value, still nothing a
 * terminal would act on — not as the visible `\x9b` the output layer uses for other text (which no
 * JSON parser accepts). The same for a stream's events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, streamChatArgs } from '../helpers/run-cli.js';
import { startHostileServer, type HostileServer } from '../helpers/hostile-server.js';

const KEY = 'ms-test0good0key0a1b2c3d4e5f6a7b8c9';
const BILLING = 'mk-test0billing00d4e5f6a7b8c9d0e1f2';
const NAME = 'ci\u009b2J\u007f\u202eevil\u2028x';
const RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
  const keys = JSON.stringify({ keys: [{ id: 1, name: NAME, prefix: 'ms-abc1xxxx', active: true, createdAt: '2024-01-15T14:22:05Z' }] });
  server.serve('keys', { kind: 'respond', status: 200, headers: [['content-type', 'application/json']], body: keys });
  const events = `data: ${JSON.stringify({ choices: [{ delta: { content: NAME } }] })}\n\ndata: [DONE]\n\n`;
  server.serve('stream', { kind: 'respond', status: 200, headers: [['content-type', 'text/event-stream']], body: events });
});
afterAll(() => server.close());

describe('call to a pipe: JSON stays JSON', () => {
  it('a key list whose name holds DEL, C1 and bidi characters parses back to the same value', async () => {
    const r = await runCli(['call', '/api/keys', '--base-url', `${server.url}/keys`, '--billing-key', BILLING]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(JSON.parse(r.stdout).keys[0].name).toBe(NAME);
  });

  it('a streamed event with the same characters: each data line parses back to the same value', async () => {
    const r = await runCli(streamChatArgs(`${server.url}/stream`, KEY));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    const first = r.stdout.split('\n').find((l) => l.startsWith('data: {'))!;
    expect(JSON.parse(first.slice('data: '.length)).choices[0].delta.content).toBe(NAME);
  });
});
