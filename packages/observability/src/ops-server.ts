import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Whether the service can do its work now (dependencies reachable). */
  ready: () => boolean | Promise<boolean>;
}

export interface OpsServer extends AsyncDisposable {
  port: number;
}

/**
 * The ops HTTP server every internal service runs for Kubernetes probes and Prometheus:
 * /healthz (the process lives), /readyz (it can do its work), /metrics.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (path === '/healthz') return send(200, 'ok\n');
    if (path === '/readyz') {
      Promise.resolve().then(options.ready).then((ok) => send(ok ? 200 : 503, ok ? 'ready\n' : 'not ready\n'), () => send(503, 'not ready\n'));
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then((body) => send(200, body, options.registry.contentType), () => send(500, 'metrics failed\n'));
      return;
    }
    send(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
