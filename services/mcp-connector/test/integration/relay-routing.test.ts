import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@switchyard/obs';
import { testEnv, testIds, waitFor } from '@switchyard/testing';
import { createApp, loadMcpConnectorConfig, type McpConnectorApp } from '../../src/index.js';
import { connect, json, NODE, parse, type Connector } from './harness.js';

const FIXTURES = resolve(import.meta.dirname, '../../../all-in-one/test/fixtures');
const CONFORMANCE = resolve(FIXTURES, 'conformance-server.mjs');
const DYNAMIC = resolve(FIXTURES, 'dynamic-server.mjs');

type StreamEvent = { case: string | undefined; value?: unknown };

// Two mcp-connector replicas on the real NATS server, as behind one Kubernetes Service:
// edge's RespondToUpstream and CancelCall reach whichever replica the Service picks, and
// must still reach the call, which lives in the memory of the replica that runs it.
describe('mcp-connector replicas route relayed answers and cancellations to the replica that holds the call', () => {
  const env = testEnv();
  const ids = testIds('relay_routing');
  const apps: McpConnectorApp[] = [];
  let a: Connector;
  let b: Connector;

  const replica = (): McpConnectorApp => createApp(loadMcpConnectorConfig({
    env: {},
    overrides: {
      grpc: { port: 0 },
      ops: { port: -1 },
      managed_clients: { enabled: false },
      observability: { log_level: 'silent' },
      backends: { nats_url: env.natsUrl, subject_prefix: ids.subjectPrefix },
      clients: [
        { name: 'conf', connection_type: 'stdio', stdio_config: { command: NODE, args: [CONFORMANCE, '--stdio'] }, tools_to_execute: ['test_sampling'] },
        { name: 'dyn', connection_type: 'stdio', stdio_config: { command: NODE, args: [DYNAMIC] } },
      ],
    },
  }), { logger: createLogger({ service: 'relay-routing-test', level: 'silent' }) });

  beforeAll(async () => {
    apps.push(replica(), replica());
    const started = await Promise.all(apps.map((app) => app.start()));
    [a, b] = await Promise.all(started.map((s) => connect(s.grpcPort)));
    await waitFor(() => apps.every((app) => app.clients().every((c) => c.state === 'connected')), { timeoutMs: 30_000, intervalMs: 50 });
  }, 60_000);

  afterAll(async () => {
    a?.close();
    b?.close();
    for (const app of apps) await app[Symbol.asyncDispose]();
  });

  /** Starts a streamed call on `rpc`; events arrive in `events`, `done` settles with the stream. */
  function stream(rpc: Connector, name: string, callKey: string, progress = false): { events: StreamEvent[]; done: Promise<unknown> } {
    const events: StreamEvent[] = [];
    const done = (async () => {
      for await (const { event } of rpc.client.callToolStream({ name, arguments: json({ prompt: 'hello' }), callKey, progress })) events.push({ case: event.case, value: event.value });
    })();
    done.catch(() => undefined);
    return { events, done };
  }

  it('a sampling answer given to the other replica reaches the tool call', async () => {
    const call = stream(a, 'conf-test_sampling', 'session-1:"s1"');
    const request = await waitFor(() => call.events.find((e) => e.case === 'request') ?? false, { timeoutMs: 10_000, intervalMs: 20 });
    const { id, method } = request.value as { id: string; method: string };
    expect(method).toBe('sampling/createMessage');
    const answer = { role: 'assistant', content: { type: 'text', text: 'routed through NATS' }, model: 'm', stopReason: 'endTurn' };
    expect((await b.client.respondToUpstream({ id, outcome: { case: 'result', value: json(answer) } })).delivered).toBe(true);
    await call.done;
    const result = call.events.find((e) => e.case === 'result');
    expect(parse(result!.value as Uint8Array)).toMatchObject({ content: [{ type: 'text', text: 'LLM response: routed through NATS' }] });
    // Answered once: a second answer, on either replica, finds nothing waiting.
    expect((await b.client.respondToUpstream({ id, outcome: { case: 'result', value: json(answer) } })).delivered).toBe(false);
    expect((await a.client.respondToUpstream({ id, outcome: { case: 'result', value: json(answer) } })).delivered).toBe(false);
  });

  it('a cancel given to the other replica aborts the upstream call', async () => {
    const stats = async (): Promise<{ cancelled: number; waiting: number }> => {
      const res = await a.client.callTool({ name: 'dyn-stats', arguments: json({}) });
      const body = parse(res.result) as { content: { text: string }[] };
      return JSON.parse(body.content[0]!.text) as { cancelled: number; waiting: number };
    };
    const before = (await stats()).cancelled;
    const call = stream(a, 'dyn-wait', 'session-2:"w1"', true);
    await waitFor(() => call.events.some((e) => e.case === 'progress'), { timeoutMs: 10_000, intervalMs: 20 });
    expect((await b.client.cancelCall({ callKey: 'session-2:"w1"', reason: 'stopped elsewhere' })).cancelled).toBe(true);
    await expect(call.done).rejects.toBeDefined();
    const after = await waitFor(async () => { const s = await stats(); return s.cancelled === before + 1 ? s : false; }, { timeoutMs: 10_000, intervalMs: 50 });
    expect(after.waiting).toBe(0);
  });

  it('unknown ids and keys are not found on either replica', async () => {
    expect((await b.client.cancelCall({ callKey: 'session-3:"none"', reason: '' })).cancelled).toBe(false);
    expect((await b.client.respondToUpstream({ id: 'sy-0123456789ab-00000000-0000-0000-0000-000000000000', outcome: { case: 'result', value: json({}) } })).delivered).toBe(false);
    expect((await a.client.respondToUpstream({ id: 'sy-not-a-gateway-id', outcome: { case: 'result', value: json({}) } })).delivered).toBe(false);
  });
});
