import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createApp, loadEdgeConfig, type EdgeApp } from '@switchyard/edge';
import { testEnv, testIds, type MockProvider } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { resolve } from 'node:path';
import type { AllInOne } from '../../src/index.js';
import { admin, EVERYTHING_STDIO, startMcpGateway, until, type McpGateway } from './helpers.js';

const SECRET = 'e2e-mcp-session-secret-0123456789abcdef';
// Both edges keep /mcp sessions in the real Redis, under this run's prefix.
const REDIS = { redis_url: testEnv().redisUrl, redis_key_prefix: testIds('mcp_endpoint').redisPrefix };

type Json = Record<string, unknown>;

// The edge's northbound MCP server (/mcp, /mcp/clients/<name>) with the official MCP
// SDK client, in front of the real mcp-connector driving server-everything over stdio.
// A second edge (same session secret, same Redis) serves the first one's sessions.
describe('/mcp: the edge as an MCP server', () => {
  let mock: MockProvider;
  let backup: MockProvider;
  let gw: AllInOne;
  let setup: McpGateway | undefined;
  let second: EdgeApp;
  let base: string;
  let base2: string;
  const clients: Client[] = [];

  const connect = async (url: string, fetchImpl?: typeof fetch): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url), fetchImpl ? { fetch: fetchImpl } : {});
    await client.connect(transport);
    clients.push(client);
    return { client, transport };
  };
  const rpc = async (url: string, body: Json, headers: Record<string, string> = {}): Promise<{ status: number; json: Json | undefined; headers: Headers }> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Json) : undefined, headers: res.headers };
  };
  const toolNames = async (url: string): Promise<string[]> => {
    const { client } = await connect(url);
    const { tools } = await client.listTools();
    await client.close();
    return tools.map((t) => t.name).sort();
  };

  beforeAll(async () => {
    setup = await startMcpGateway([
              { name: 'everything', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['echo', 'get-sum'] },
              { name: 'second', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['get-sum'] },
              { name: 'dyn', connection_type: 'stdio', stdio_config: { command: process.execPath, args: [resolve(import.meta.dirname, '../fixtures/dynamic-server.mjs')] }, tools_to_execute: ['log'] },
    ], { mcp: { session_secret: SECRET }, backends: REDIS });
    ({ gw, mock, backup } = setup);
    base = gw.url!;
    const addr = (name: keyof AllInOne['grpcAddresses']): string => gw.grpcAddresses[name]!;
    const config = loadEdgeConfig({
      env: { LOG_LEVEL: 'warn' },
      overrides: {
        port: 0,
        llm_proxy_addr: addr('llm-proxy'),
        governance_addr: addr('governance'),
        telemetry_addr: addr('telemetry'),
        mcp_connector_addr: addr('mcp-connector'),
        grpc: { port: -1 },
        mcp: { session_secret: SECRET, catalog_ttl_ms: 200 },
        backends: REDIS,
      },
    });
    second = createApp(config, { bus: gw.bus });
    base2 = `http://127.0.0.1:${(await second.start()).port}`;
    // The upstreams connect in the background; wait until both edges see all four tools.
    for (const b of [base, base2]) {
      await until(async () => ((await toolNames(`${b}/mcp`)).length === 4 ? true : undefined), 20_000, 200);
    }
  }, 40_000);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    const redis = new Redis(REDIS.redis_url);
    const keys = await redis.keys(`${REDIS.redis_key_prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await second?.[Symbol.asyncDispose]();
    await setup?.[Symbol.asyncDispose]();
  });

  it('lists exactly the executable tools under their exposed names, schemas intact', async () => {
    const { client } = await connect(`${base}/mcp`);
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['dyn-log', 'everything-echo', 'everything-get-sum', 'second-get-sum']);
    const echo = tools.find((t) => t.name === 'everything-echo')!;
    expect(Object.keys(echo.inputSchema.properties ?? {})).toContain('message');
    expect(typeof echo.description).toBe('string');
  });

  it('calls echo and returns the upstream content; a tool error stays a result', async () => {
    const { client } = await connect(`${base}/mcp`);
    const result = await client.callTool({ name: 'everything-echo', arguments: { message: 'hello' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: hello' }]);
    expect(result.isError).toBeFalsy();
    const failed = await client.callTool({ name: 'everything-echo', arguments: { message: 42 } });
    expect(failed.isError).toBe(true);
  });

  it('answers -32602 for tools it does not expose (blocked ones included)', async () => {
    const { client } = await connect(`${base}/mcp`);
    await expect(client.callTool({ name: 'everything-get-env', arguments: {} })).rejects.toMatchObject({ code: -32602 });
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });

  it('/mcp/clients/everything lists upstream names and calls them', async () => {
    const { client } = await connect(`${base}/mcp/clients/everything`);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['echo', 'get-sum']);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'single' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: single' }]);
  });

  it('answers a forged session id 404, a missing one 400, a bad Origin 403, DELETE 200', async () => {
    const init = await rpc(`${base}/mcp`, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    expect(init.status).toBe(200);
    const sid = init.headers.get('mcp-session-id')!;
    expect(sid).toBeTruthy();
    const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
    expect((await rpc(`${base}/mcp`, ping, { 'mcp-session-id': sid })).json).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    expect((await rpc(`${base}/mcp`, ping, { 'mcp-session-id': `${sid.slice(0, -4)}AAAA` })).status).toBe(404);
    expect((await rpc(`${base}/mcp`, ping, { 'mcp-session-id': crypto.randomUUID() })).status).toBe(404);
    expect((await rpc(`${base}/mcp`, ping)).status).toBe(400);
    expect((await rpc(`${base}/mcp`, ping, { 'mcp-session-id': sid, 'mcp-protocol-version': '2099-01-01' })).status).toBe(400);
    expect((await rpc(`${base}/mcp`, ping, { 'mcp-session-id': sid, origin: 'https://evil.example.com' })).status).toBe(403);
    expect((await rpc(`${base}/mcp`, ping, { 'mcp-session-id': sid, origin: 'http://localhost:6274' })).status).toBe(200);
    const del = await fetch(`${base}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': sid } });
    expect(del.status).toBe(200);
    // The SDK client sees a bad Origin as a failed connect.
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { origin: 'https://evil.example.com' } } });
    await expect(client.connect(transport)).rejects.toThrow(/403|Forbidden/);
  });

  it('two edge replicas accept the same session id alternately (state in Redis)', async () => {
    const seen: string[] = [];
    let n = 0;
    // Every request of one SDK client session goes to the other edge than the last.
    const alternating: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input.toString());
      const target = n++ % 2 === 0 ? base : base2;
      seen.push(target);
      return fetch(`${target}${url.pathname}`, init);
    };
    const { client, transport } = await connect(`${base}/mcp`, alternating);
    const sid = transport.sessionId!;
    expect(sid).toBeTruthy();
    for (let i = 0; i < 4; i++) {
      const result = await client.callTool({ name: 'everything-echo', arguments: { message: `r${i}` } });
      expect(result.content).toEqual([{ type: 'text', text: `Echo: r${i}` }]);
    }
    expect((await client.listTools()).tools).toHaveLength(4);
    expect(new Set(seen)).toEqual(new Set([base, base2]));
    expect(transport.sessionId).toBe(sid);
    // Explicitly: a session issued by edge A, used on edge B.
    const init = await rpc(`${base}/mcp`, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    const other = await rpc(`${base2}/mcp`, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'everything-echo', arguments: { message: 'B' } } }, { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' });
    expect(other.status).toBe(200);
    expect((other.json?.result as Json).content).toEqual([{ type: 'text', text: 'Echo: B' }]);
  });

  it('logging/setLevel on one replica filters the log messages relayed by the other (level in the session store)', async () => {
    const init = await rpc(`${base}/mcp`, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'levels', version: '1' } } });
    const headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    const levelsSeen = async (edge: string): Promise<string[]> => {
      const res = await fetch(`${edge}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 'l', method: 'tools/call', params: { name: 'dyn-log', arguments: {} } }),
      });
      const messages = (await res.text()).split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)) as Json);
      expect(messages.at(-1)).toMatchObject({ id: 'l', result: { content: [{ type: 'text', text: 'logged' }] } });
      return messages.filter((m) => m.method === 'notifications/message').map((m) => (m.params as Json).level as string);
    };
    expect(await levelsSeen(base2)).toEqual(['debug', 'info', 'error']);
    expect((await rpc(`${base}/mcp`, { jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'error' } }, headers)).json).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    expect(await levelsSeen(base2)).toEqual(['error']);
    expect(await levelsSeen(base)).toEqual(['error']);
    const redis = new Redis(REDIS.redis_url);
    expect(await redis.hget(`${REDIS.redis_key_prefix}mcp:session:${headers['mcp-session-id']}`, 'log_level')).toBe('error');
    redis.disconnect();
  });

  it('DELETE on one replica revokes the session on the other (404 there)', async () => {
    const init = await rpc(`${base}/mcp`, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: { roots: {} }, clientInfo: { name: 'revoked', version: '1' } } });
    const sid = init.headers.get('mcp-session-id')!;
    const headers = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
    expect((await rpc(`${base2}/mcp`, ping, headers)).status).toBe(200);
    // The record in Redis names the session's client and protocol.
    const redis = new Redis(REDIS.redis_url);
    const stored = await redis.hgetall(`${REDIS.redis_key_prefix}mcp:session:${sid}`);
    expect(stored).toMatchObject({ endpoint: '/mcp', protocol_version: '2025-06-18', client_info: JSON.stringify({ name: 'revoked', version: '1' }) });
    expect(await redis.pttl(`${REDIS.redis_key_prefix}mcp:session:${sid}`)).toBeGreaterThan(0);
    redis.disconnect();
    expect((await fetch(`${base2}/mcp`, { method: 'DELETE', headers })).status).toBe(200);
    const after = await rpc(`${base}/mcp`, ping, headers);
    expect(after.status).toBe(404);
    expect(after.json?.error).toMatchObject({ code: -32001 });
    expect((await rpc(`${base}/mcp`, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'everything-echo', arguments: { message: 'x' } } }, headers)).status).toBe(404);
    expect((await fetch(`${base}/mcp`, { method: 'DELETE', headers })).status).toBe(404);
  });

  // Last: once a key exists, every request needs one (the /v1 rule).
  it('requires a virtual key once one exists, with the key bound into the session', async () => {
    const created = await admin(base, 'POST', '/api/keys', { name: 'mcp-e2e' });
    expect(created.status).toBe(201);
    const secret = created.json.key as string;
    const initBody = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
    await until(async () => ((await rpc(`${base}/mcp`, initBody)).status === 401 ? true : undefined), 3_000);
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${secret}` } } });
    await client.connect(transport);
    clients.push(client);
    const result = await client.callTool({ name: 'everything-echo', arguments: { message: 'keyed' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: keyed' }]);
    // The session id alone is no credential.
    expect((await rpc(`${base}/mcp`, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': transport.sessionId! })).status).toBe(401);
    expect((await rpc(`${base}/mcp`, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': transport.sessionId!, authorization: 'Bearer sk-sy-wrong' })).status).toBe(401);
  });

  it('records MCP tool calls as kind=tool audit rows with the /mcp routes', async () => {
    const rows = await until(async () => {
      const { json } = await admin(base, 'GET', '/api/logs?kind=tool&limit=100');
      const data = json.data as Json[];
      return data.some((r) => r.route === '/mcp/clients/everything') && data.filter((r) => r.route === '/mcp').length >= 7 ? data : undefined;
    }, 5_000);
    // Other tests here call other tools too (dyn-log): look for the echo row itself.
    expect(rows.find((r) => r.route === '/mcp' && r.status === 200 && r.model === 'everything-echo')).toMatchObject({ provider: 'everything', error_kind: '' });
    expect(rows.find((r) => r.route === '/mcp/clients/everything')).toMatchObject({ model: 'everything-echo', status: 200 });
  });
});
