import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, KEYS, TLS_CERT, type Emulator } from '../emulator/server.js';
import { emptyDir, runCli, flat } from '../helpers/run-cli.js';
import { startProxy, type ConnectProxy } from '../helpers/connect-proxy.js';

let emu: Emulator;
let proxy: ConnectProxy;
beforeAll(async () => {
  emu = await startEmulator();
  proxy = await startProxy();
});
afterAll(async () => {
  await emu.close();
  await proxy.close();
});
beforeEach(() => {
  emu.reset();
  proxy.connects.length = 0;
});

const env = (extra: Record<string, string>) => ({
  MODELSWITCH_BASE_URL: emu.url,
  MODELSWITCH_API_KEY: KEYS.proxy,
  MODELSWITCH_BILLING_KEY: KEYS.billing,
  ...extra,
});

describe('HTTP proxies from the environment', () => {
  it('HTTP_PROXY carries the request through the proxy', async () => {
    const r = await runCli(['call', '/v1/models'], { env: env({ HTTP_PROXY: proxy.url }) });
    expect(r.code).toBe(0);
    expect(proxy.connects).toEqual([`127.0.0.1:${emu.port}`]);
    expect(emu.requests).toHaveLength(1);
  });

  it('NO_PROXY (lower case too) exempts the API host', async () => {
    const r = await runCli(['call', '/v1/models'], { env: env({ http_proxy: proxy.url, no_proxy: '127.0.0.1' }) });
    expect(r.code).toBe(0);
    expect(proxy.connects).toEqual([]);
  });

  it('doctor reports which proxy applies, and its API checks go through it', async () => {
    const r = await runCli(['doctor', '--json'], { env: env({ HTTP_PROXY: proxy.url }) });
    expect(r.code).toBe(0);
    const checks = Object.fromEntries((r.json().checks as Array<{ id: string; detail: string; status: string }>).map((c) => [c.id, c]));
    expect(checks['network.proxy']?.detail).toMatch(new RegExp(`through ${proxy.url.replace(/[.:/]/g, '\\$&')} \\(HTTP_PROXY\\)`));
    expect(checks['api.proxy-key']?.status).toBe('pass');
    expect(proxy.connects.length).toBeGreaterThan(0);
  });

  it('a proxy that cannot be reached is network.proxy, exit 7', async () => {
    const dead = await startProxy();
    const url = dead.url;
    await dead.close();
    const r = await runCli(['call', '/v1/models', '--json'], { env: env({ HTTP_PROXY: url }) });
    expect(r.code).toBe(7);
    expect(r.json().diagnoses[0].id).toBe('network.proxy');
  });

  it('an https API with only HTTP_PROXY set goes through that proxy (as undici and Node fetch route it), and doctor says so', async () => {
    const tlsEmu = await startEmulator({ tls: true });
    try {
      const dir = emptyDir();
      writeFileSync(join(dir, 'ca.pem'), TLS_CERT);
      const base = tlsEmu.url.replace('127.0.0.1', 'localhost');
      const tlsEnv = {
        MODELSWITCH_BASE_URL: base,
        MODELSWITCH_API_KEY: KEYS.proxy,
        HTTP_PROXY: proxy.url,
        NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      };
      const r = await runCli(['call', '/v1/models', '--json'], { env: tlsEnv });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(proxy.connects).toEqual([`localhost:${tlsEmu.port}`]);
      expect(tlsEmu.requests.map((q) => q.path)).toEqual(['/v1/models']);
      const d = await runCli(['doctor', '--json', '--only', 'network.proxy'], { env: tlsEnv });
      const checks = Object.fromEntries((d.json().checks as Array<{ id: string; detail: string }>).map((c) => [c.id, c]));
      expect(checks['network.proxy']?.detail).toMatch(/\(HTTP_PROXY\)/);
    } finally {
      await tlsEmu.close();
    }
  });

  it('a proxy URL that is not a URL (no scheme) is network.proxy, exit 7, naming the variable', async () => {
    const r = await runCli(['call', '/v1/models'], { env: env({ HTTP_PROXY: proxy.url.replace('http://', '') }) });
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/network\.proxy/);
    expect(flat(r.stderr)).toMatch(/HTTP_PROXY.*not a usable proxy URL/);
    expect(r.stderr).not.toMatch(/internal error/i);
    expect(emu.requests).toHaveLength(0);
  });

  it('a proxy password in a URL with no scheme is never printed; doctor fails its proxy check (exit 7) instead of passing it', async () => {
    const bad = `user:pa55word@${proxy.url.replace('http://', '')}`;
    const call = await runCli(['call', '/v1/models'], { env: env({ HTTP_PROXY: bad }) });
    expect(call.code).toBe(7);
    // A wide terminal (COLUMNS): the row below is matched on one line; at 80 columns its detail wraps under its column.
    const human = await runCli(['doctor'], { env: env({ HTTP_PROXY: bad, COLUMNS: '200' }) });
    const json = await runCli(['doctor', '--json'], { env: env({ HTTP_PROXY: bad }) });
    for (const r of [call, human, json]) expect(r.stdout + r.stderr).not.toContain('pa55word');
    expect(human.code).toBe(7);
    expect(human.stdout).toMatch(/✗ HTTP proxy\s+HTTP_PROXY=\*\*\*\*@127\.0\.0\.1:\d+ is not a usable proxy URL: it has no scheme/);
    const doc = json.json();
    expect(doc).toMatchObject({ exitCode: 7, exitReason: 'network' });
    expect(doc.checks.find((c: { id: string }) => c.id === 'network.proxy')).toMatchObject({ status: 'fail', diagnosis: 'network.proxy' });
    expect(emu.requests).toHaveLength(0);
    expect(proxy.connects).toEqual([]);
  });
});
