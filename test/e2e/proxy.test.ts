import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { startEmulator, KEYS, type Emulator } from '../emulator/server.js';
import { runCli } from '../helpers/run-cli.js';

/** A minimal CONNECT proxy on loopback that only tunnels to loopback, and logs what it was asked. */
async function startProxy(): Promise<{ url: string; connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once('data', (head) => {
      const m = /^CONNECT ([^\s:]+):(\d+) HTTP/.exec(head.toString('latin1'));
      if (!m || !/^(127\.0\.0\.1|localhost)$/.test(m[1]!)) {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      connects.push(`${m[1]}:${m[2]}`);
      const upstream = connect(Number(m[2]), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

let emu: Emulator;
let proxy: Awaited<ReturnType<typeof startProxy>>;
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
