import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '@switchyard/bus';
import { testEnv, testIds } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { createAllInOne, type AllInOne } from '../../src/index.js';
import { until } from './helpers.js';
import { sseStream } from './sse-stream.js';

type Json = Record<string, unknown>;
const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const LEGACY = '2025-11-25';
const WATCHED = 'test://watched-resource';

// Two replicas of edge, each wired to its own mcp-connector, on the real NATS and Redis, as
// in a cluster where the Services pick a different pod each time. One legacy session
// alternates between the two edges: the sampling answer, the cancel and the GET stream all
// land on the edge (and connector) that does not run the call, and still take effect.
describe('/mcp across two edge + mcp-connector replicas', () => {
  const env = testEnv();
  const ids = testIds('mcp_replicas');
  const gateways: AllInOne[] = [];
  let edges: string[] = [];

  const gateway = (): Promise<AllInOne> => createAllInOne(
    {
      file: {
        mcp_connector: {
          managed_clients: { enabled: false },
          clients: [
            { name: 'conf', connection_type: 'stdio', stdio_config: { command: process.execPath, args: [resolve(FIXTURES, 'conformance-server.mjs'), '--stdio'] } },
            { name: 'dyn', connection_type: 'stdio', stdio_config: { command: process.execPath, args: [resolve(FIXTURES, 'dynamic-server.mjs')] } },
          ],
        },
      },
      source: undefined,
      services: ['edge', 'governance', 'telemetry', 'mcp-connector'],
      dataDir: 'memory://',
      internalTransport: 'grpc',
    },
    { LOG_LEVEL: 'warn', NATS_URL: env.natsUrl, SWITCHYARD_SUBJECT_PREFIX: ids.subjectPrefix },
    { edge: { port: 0, backends: { subject_prefix: ids.subjectPrefix, redis_url: env.redisUrl, redis_key_prefix: ids.redisPrefix }, mcp: { session_secret: 'replicas-share-this-session-secret-0123456789' } } },
  );

  const post = (edge: string, headers: Record<string, string>, body: Json): Promise<Response> => fetch(`${edge}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', ...body }) });
  const call = async (edge: string, headers: Record<string, string>, name: string): Promise<string> => {
    const body = (await (await post(edge, { ...headers, accept: 'application/json' }, { id: `c-${name}`, method: 'tools/call', params: { name, arguments: {} } })).json()) as { result: { content: { text: string }[] } };
    return body.result.content[0]!.text;
  };

  beforeAll(async () => {
    gateways.push(await gateway(), await gateway());
    edges = gateways.map((g) => g.url!);
    const headers = await session(edges[0]!);
    for (const edge of edges) {
      await until(async () => {
        const res = await post(edge, headers, { id: 'l', method: 'tools/list' });
        const tools = ((await res.json()) as { result?: { tools: unknown[] } }).result?.tools ?? [];
        return tools.length >= 15 ? true : undefined;
      }, 30_000, 200);
    }
  }, 120_000);

  afterAll(async () => {
    for (const g of gateways) await g[Symbol.asyncDispose]();
    const redis = new Redis(env.redisUrl);
    const keys = await redis.keys(`${ids.redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    const bus = await NatsBus.connect({ url: env.natsUrl, prefix: ids.subjectPrefix });
    for (const stream of ['AUDIT', 'USAGE']) await bus.deleteStream(stream);
    await bus[Symbol.asyncDispose]();
  });

  async function session(edge: string): Promise<Record<string, string>> {
    const init = await post(edge, { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, { id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: { sampling: {} }, clientInfo: { name: 'raw', version: '1' } } });
    await init.body?.cancel();
    return { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': LEGACY };
  }


  it('a sampling request relayed through edge A is answered on edge B', async () => {
    const [a, b] = edges as [string, string];
    const headers = await session(a);
    const res = await post(a, headers, { id: 's1', method: 'tools/call', params: { name: 'conf-test_sampling', arguments: { prompt: 'hi' } } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const stream = sseStream(res.body!);
    const request = await stream.next();
    expect(request).toMatchObject({ method: 'sampling/createMessage' });
    const answer = await post(b, headers, { id: request?.id, result: { role: 'assistant', content: { type: 'text', text: 'from edge B' }, model: 'm', stopReason: 'endTurn' } });
    expect(answer.status).toBe(202);
    expect(await stream.next()).toMatchObject({ id: 's1', result: { content: [{ type: 'text', text: 'LLM response: from edge B' }] } });
  });

  it('a call running through edge A is cancelled by notifications/cancelled on edge B', async () => {
    const [a, b] = edges as [string, string];
    const headers = await session(a);
    const stats = async (): Promise<{ cancelled: number; waiting: number }> => JSON.parse(await call(a, headers, 'dyn-stats')) as { cancelled: number; waiting: number };
    const before = (await stats()).cancelled;
    const pending = post(a, { ...headers, accept: 'application/json' }, { id: 'w1', method: 'tools/call', params: { name: 'dyn-wait', arguments: {} } });
    await until(async () => ((await stats()).waiting === 1 ? true : undefined), 10_000, 50);
    expect((await post(b, headers, { method: 'notifications/cancelled', params: { requestId: 'w1', reason: 'from edge B' } })).status).toBe(202);
    expect(((await (await pending).json()) as Json).error).toMatchObject({ code: -32800 });
    await until(async () => ((await stats()).cancelled === before + 1 ? true : undefined), 10_000, 50);
  });

  it('a resource subscribed on edge A is announced on the GET stream held by edge B', async () => {
    const [a, b] = edges as [string, string];
    const headers = await session(a);
    const get = await fetch(`${b}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': headers['mcp-session-id']!, 'mcp-protocol-version': LEGACY } });
    expect(get.status).toBe(200);
    const stream = sseStream(get.body!);
    expect(await post(a, { ...headers, accept: 'application/json' }, { id: 'sub', method: 'resources/subscribe', params: { uri: WATCHED } }).then((r) => r.json())).toMatchObject({ result: {} });
    // The subscription went upstream through edge A's connector: a change there is announced.
    expect(await call(a, headers, 'conf-test_update_watched_resource')).toBe('updated (subscribed)');
    expect(await stream.next()).toEqual({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: WATCHED } });
    await get.body?.cancel().catch(() => undefined);
  });
});
