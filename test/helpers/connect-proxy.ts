import { createServer, connect, type Server, type Socket } from 'node:net';

export interface ConnectProxy {
  url: string;
  /** Each tunnel asked for, as host:port. */
  connects: string[];
  close(): Promise<void>;
}

/** A minimal CONNECT proxy on loopback that only tunnels to loopback, and logs what it was asked. */
export async function startProxy(): Promise<ConnectProxy> {
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
