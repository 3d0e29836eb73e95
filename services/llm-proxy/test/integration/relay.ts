import { createServer, connect, type Server, type Socket } from 'node:net';

export interface RelayConnection {
  openedAt: number;
  closedAt?: number;
}

/**
 * A TCP relay in front of the mock provider, so a test can see the upstream connection
 * close (which the mock does not report): `connections` lists every client connection.
 */
export interface Relay extends AsyncDisposable {
  url: string;
  connections: RelayConnection[];
}

export async function startRelay(targetPort: number): Promise<Relay> {
  const connections: RelayConnection[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const record: RelayConnection = { openedAt: Date.now() };
    connections.push(record);
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      record.closedAt ??= Date.now();
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay: no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections,
    async [Symbol.asyncDispose]() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
