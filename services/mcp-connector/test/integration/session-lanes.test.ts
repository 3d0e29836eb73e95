import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBus, type Bus } from '@switchyard/bus';
import { createLogger } from '@switchyard/obs';
import { create, mcpconnector, SUBJECTS, toBinary } from '@switchyard/proto';
import { testEnv, testIds, waitFor } from '@switchyard/testing';
import { SdkConnector } from '../../src/adapters/mcp/sdk-connector.js';
import { loadMcpConnectorConfig, mcpClientConfigSchema, type McpClientConfig } from '../../src/config.js';
import { McpConnector } from '../../src/domain/connector.js';
import { createApp } from '../../src/index.js';
import { connect, json, NODE, parse } from './harness.js';

const TINY = resolve(import.meta.dirname, '../fixtures/tiny-server.mjs');
const env = testEnv();

/** Live processes whose command line carries `marker` (an orphan counts). */
async function processesWith(marker: string): Promise<number> {
  const out = await new Promise<string>((ok, fail) => execFile('ps', ['-e', '-o', 'pid=,stat=,args='], (err, stdout) => (err ? fail(err) : ok(stdout))));
  return out.split('\n').filter((l) => l.includes(marker) && !l.trim().split(/\s+/)[1]?.startsWith('Z')).length;
}

function tiny(name: string, marker: string, extra: Partial<McpClientConfig> = {}): McpClientConfig {
  return mcpClientConfigSchema.parse({ name, connection_type: 'stdio', stdio_config: { command: NODE, args: [TINY, marker] }, ...extra });
}

function connectorFor(clients: McpClientConfig[], upstreams: SdkConnector, lanes: { maxPerClient: number; idleTtlMs: number }): McpConnector {
  return new McpConnector({
    clients, connector: upstreams, publisher: { catalogChanged: () => undefined },
    backoff: { initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0 },
    healthIntervalMs: 60_000, maxFailures: 3, lanes,
  });
}

const call = (c: McpConnector, tool: string, session: string): Promise<unknown> =>
  c.callTool(tool, {}, { signal: AbortSignal.timeout(20_000), session, observer: {} });

// Session lanes with real stdio children (the tiny fixture): every lane's child is
// reaped when its session ends, when it idles out and when its client is removed.
describe('session lanes reap their stdio children', () => {
  const ids = testIds('mcp_lanes');
  const upstreams = new SdkConnector({ baseEnv: { PATH: process.env.PATH ?? '' } });
  const disposables: AsyncDisposable[] = [];

  afterAll(async () => {
    for (const d of disposables.reverse()) await d[Symbol.asyncDispose]();
    await upstreams[Symbol.asyncDispose]();
  });

  it('200 sessions that open a lane and end (some while it connects) leave no child behind', async () => {
    const marker = `--lanes-delete=${ids.runId}`;
    const c = connectorFor([tiny('lanes', marker)], upstreams, { maxPerClient: 16, idleTtlMs: 300_000 });
    disposables.push(c);
    c.start();
    await waitFor(() => c.listClients()[0]?.state === 'connected', { timeoutMs: 20_000, intervalMs: 25 });
    for (let batch = 0; batch < 200; batch += 10) {
      await Promise.all(Array.from({ length: 10 }, async (_, k) => {
        const session = `s${batch + k}`;
        if (k % 3 === 0) {
          // Ended while its lane is still connecting: the call may fail or fall back, the child must still go.
          const running = call(c, 'lanes-ping_me', session).catch(() => undefined);
          c.closeSession(session);
          await running;
        } else {
          expect(await call(c, 'lanes-ping_me', session)).toMatchObject({ content: [{ text: 'pong' }] });
          expect(c.closeSession(session)).toBe(1);
        }
      }));
    }
    expect(c.listClients()[0]?.lanes).toBe(0);
    // Only the shared connection's child is left.
    await waitFor(async () => (await processesWith(marker)) === 1, { timeoutMs: 20_000, intervalMs: 100 });
    await c[Symbol.asyncDispose]();
    await waitFor(async () => (await processesWith(marker)) === 0, { timeoutMs: 10_000, intervalMs: 100 });
  }, 180_000);

  it('idle lanes are closed after their TTL (the client\'s own setting)', async () => {
    const marker = `--lanes-ttl=${ids.runId}`;
    const events: string[] = [];
    const c = new McpConnector({
      clients: [tiny('ttl', marker, { session_idle_ttl_ms: 300 })], connector: upstreams, publisher: { catalogChanged: () => undefined },
      backoff: { initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0 }, healthIntervalMs: 60_000, maxFailures: 3,
      lanes: { maxPerClient: 16, idleTtlMs: 300_000 },
      onEvent: (event, detail) => { if (event.startsWith('mcp.lane.')) events.push(`${event}:${String(detail.reason ?? '')}`); },
    });
    disposables.push(c);
    c.start();
    await waitFor(() => c.listClients()[0]?.state === 'connected', { timeoutMs: 20_000, intervalMs: 25 });
    await Promise.all(['a', 'b', 'c'].map((s) => call(c, 'ttl-ping_me', s)));
    // No timing asserted in between (a loaded machine may take longer than the TTL to get here).
    await waitFor(async () => c.listClients()[0]?.lanes === 0 && (await processesWith(marker)) === 1, { timeoutMs: 10_000, intervalMs: 50 });
    expect(events.filter((e) => e.startsWith('mcp.lane.opened'))).toHaveLength(3);
    expect(events.filter((e) => e === 'mcp.lane.closed:idle')).toHaveLength(3);
  }, 60_000);

  it('removing the client closes its lanes with it', async () => {
    const marker = `--lanes-remove=${ids.runId}`;
    const config = tiny('removed', marker);
    const c = connectorFor([config], upstreams, { maxPerClient: 16, idleTtlMs: 300_000 });
    disposables.push(c);
    c.start();
    await waitFor(() => c.listClients()[0]?.state === 'connected', { timeoutMs: 20_000, intervalMs: 25 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((s) => call(c, 'removed-ping_me', s)));
    expect(await processesWith(marker)).toBe(6);
    await c.reconcile([]);
    await c.settled();
    await waitFor(async () => (await processesWith(marker)) === 0, { timeoutMs: 10_000, intervalMs: 50 });
  }, 60_000);

  it('mcp.session.closed on NATS closes the lane on the replica that holds it', async () => {
    const marker = `--lanes-nats=${ids.runId}`;
    const config = loadMcpConnectorConfig({
      env: {},
      overrides: {
        grpc: { port: 0 }, ops: { port: -1 }, managed_clients: { enabled: false },
        observability: { log_level: 'silent' },
        clients: [{ name: 'natsy', connection_type: 'stdio', stdio_config: { command: NODE, args: [TINY, marker] } }],
        backends: { nats_url: env.natsUrl, subject_prefix: ids.subjectPrefix },
      },
    });
    const app = createApp(config, { logger: createLogger({ service: 'mcp-lanes-test', level: 'silent' }) });
    disposables.push(app);
    const { grpcPort } = await app.start();
    const bus: Bus = await createBus({ url: env.natsUrl, prefix: ids.subjectPrefix, name: 'lanes-test' });
    disposables.push(bus);
    const grpc = await connect(grpcPort);
    disposables.push({ [Symbol.asyncDispose]: async () => grpc.close() });
    await waitFor(() => app.clients()[0]?.state === 'connected', { timeoutMs: 20_000, intervalMs: 25 });
    let result: Record<string, unknown> | undefined;
    for await (const { event } of grpc.client.callToolStream({ name: 'natsy-ping_me', arguments: json({}), session: 'downstream-1', callKey: 'downstream-1:1' }, { timeoutMs: 20_000 })) {
      if (event.case === 'result') result = parse(event.value);
    }
    expect(result).toMatchObject({ content: [{ text: 'pong' }] });
    expect(app.clients()[0]?.lanes).toBe(1);
    expect(await processesWith(marker)).toBe(2);
    bus.publish(SUBJECTS.mcpSessionClosed, toBinary(mcpconnector.McpSessionClosedSchema, create(mcpconnector.McpSessionClosedSchema, { session: 'downstream-1' })));
    await waitFor(async () => app.clients()[0]?.lanes === 0 && (await processesWith(marker)) === 1, { timeoutMs: 10_000, intervalMs: 50 });
  }, 60_000);
});
