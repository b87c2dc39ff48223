/**
 * A server that echoes the key it was sent in another encoding (base64, base64url, hex, reversed,
 * JSON-escaped twice), in its body and its headers: `call`, `call --include`, `call --json` and `doctor`
 * print none of it readable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { startHostileServer, type HostileServer } from '../helpers/hostile-server.js';

const KEY = 'ms-test0good0key0a1b2c3d4e5f6a7b8c9';
const BILLING = 'mk-test0billing00d4e5f6a7b8c9d0e1f2';
const forms = (k: string) => ({
  base64: Buffer.from(k).toString('base64'),
  base64url: Buffer.from(`{"k":"${k}"}`).toString('base64url'),
  hex: Buffer.from(k).toString('hex'),
  reversed: [...k].reverse().join(''),
  json2: [...k].map((c) => `\\\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
});

/** Windows of each encoded form that are longer than anything a masked form shows. */
function leaks(text: string, k: string): string[] {
  const found: string[] = [];
  for (const [how, enc] of Object.entries(forms(k))) {
    const w = how === 'hex' ? 18 : how === 'json2' ? 60 : 12;
    for (let i = 8; i + w <= enc.length - 8; i++) if (text.includes(enc.slice(i, i + w))) found.push(`${how}: ${enc.slice(i, i + w)}`);
  }
  return found;
}

let srv: HostileServer;
beforeAll(async () => {
  srv = await startHostileServer();
  const f = { ...forms(KEY) };
  const b = { ...forms(BILLING) };
  const message = `Invalid API key. Received ${f.base64} (base64), ${f.base64url}, hex ${f.hex}, reversed ${f.reversed}, escaped ${f.json2}; billing ${b.base64} ${b.hex} ${b.reversed}`;
  srv.serve('echo', {
    kind: 'respond',
    status: 401,
    headers: [
      ['content-type', 'application/json'],
      ['x-echo', f.base64],
      ['x-echo-hex', f.hex],
      ['www-authenticate', `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`],
    ],
    body: JSON.stringify({ error: { message, type: 'authentication_error', code: f.reversed } }),
  });
});
afterAll(async () => {
  await srv?.close();
});

describe('encoded echoes of the key', () => {
  it.each([
    ['call', ['call', '/v1/models']],
    ['call --include', ['call', '--include', '/v1/models']],
    ['call --json', ['call', '--json', '/v1/models']],
    ['call --include -v', ['call', '--include', '-v', '/v1/models']],
    ['doctor', ['doctor']],
    ['doctor --json', ['doctor', '--json']],
  ])('%s prints none of them', async (_what, args) => {
    const r = await runCli(args, {
      env: { MODELSWITCH_BASE_URL: `${srv.url}/echo`, MODELSWITCH_API_KEY: KEY, MODELSWITCH_BILLING_KEY: BILLING },
    });
    expect(r.code).not.toBe(0);
    const all = r.stdout + r.stderr;
    expect(all).toMatch(/\[(base64|hex|reversed) of m[sk]-test/);
    expect(leaks(all, KEY)).toEqual([]);
    expect(leaks(all, BILLING)).toEqual([]);
  });
});
