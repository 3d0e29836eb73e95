import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '@switchyard/bus';
import { createLogger } from '@switchyard/obs';
import { waitFor } from '@switchyard/testing';
import { createApp, loadMcpConnectorConfig, type McpConnectorApp } from '../../src/index.js';
import { connect, json, parse, startEverythingHttp, type Connector, type HttpUpstream } from './harness.js';

describe('http back-compat fallback and needs_auth', () => {
  let app: McpConnectorApp;
  let rpc: Connector;
  let sse: HttpUpstream;
  let guarded: Server;
  let hits = 0;

  beforeAll(async () => {
    sse = await startEverythingHttp('sse');
    // An HTTP endpoint that demands credentials we do not have.
    guarded = createServer((req, res) => {
      hits++;
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="mcp"', 'content-type': 'application/json' });
      res.end('{"error":"unauthorized"}');
    });
    guarded.listen(0, '127.0.0.1');
    await once(guarded, 'listening');
    const { port } = guarded.address() as { port: number };
    const config = loadMcpConnectorConfig({
      env: {},
      overrides: {
        grpc: { port: 0 },
        ops: { port: -1 },
        reconnect: { initial_delay_ms: 50, max_delay_ms: 100 },
        clients: [
          // connection_type http pointed at a 2024-11-05 SSE-only server: Streamable HTTP fails with a 4xx, SSE works.
          { name: 'legacy_sse', connection_type: 'http', connection_string: sse.url },
          { name: 'locked', connection_type: 'http', connection_string: `http://127.0.0.1:${port}/mcp` },
        ],
      },
    });
    app = createApp(config, { bus: new MemoryBus(), logger: createLogger({ service: 'mcp-connector-test', level: (process.env.TEST_LOG ?? 'silent') as 'silent' }) });
    rpc = await connect((await app.start()).grpcPort);
  }, 30_000);

  afterAll(async () => {
    rpc?.close();
    await app?.[Symbol.asyncDispose]();
    await sse?.process.stop();
    guarded?.close();
  });

  it('falls back from Streamable HTTP to SSE for an SSE-only server', async () => {
    await waitFor(() => app.clients().find((c) => c.name === 'legacy_sse')?.state === 'connected', { timeoutMs: 15_000, intervalMs: 20 });
    const echoed = parse((await rpc.client.callTool({ name: 'legacy_sse-echo', arguments: json({ message: 'fallback' }) })).result);
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: fallback' }]);
  });

  it('parks a client that gets 401 in needs_auth, without retrying in a loop', async () => {
    await waitFor(() => app.clients().find((c) => c.name === 'locked')?.state === 'needs_auth', { timeoutMs: 10_000, intervalMs: 20 });
    const seen = hits;
    await new Promise((r) => setTimeout(r, 500));
    expect(hits).toBe(seen);
    const { clients } = await rpc.client.listClients({});
    expect(clients.find((c) => c.name === 'locked')).toMatchObject({ state: 'needs_auth', toolCount: 0 });
  });
});
