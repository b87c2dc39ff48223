import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { runCli } from '../helpers/run-cli.js';
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

const env = (extra: Record<string, string>) => ({ MODELSWITCH_BASE_URL: emu.url, MODELSWITCH_API_KEY: KEYS.proxy, MODELSWITCH_BILLING_KEY: KEYS.billing, ...extra });

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
});
