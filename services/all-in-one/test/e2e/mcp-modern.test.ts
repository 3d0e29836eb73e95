import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { EVERYTHING_STDIO, startMcpGateway, until, type McpGateway } from './helpers.js';
import { sseStream } from './sse-stream.js';

type Json = Record<string, unknown>;
const DYNAMIC = { command: process.execPath, args: [resolve(import.meta.dirname, '../fixtures/dynamic-server.mjs')] };
const MODERN = '2026-07-28';
const ACCEPT = 'application/json, text/event-stream';


function modernMeta(extra: Json = {}): Json {
  return { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, ...extra };
}

function modernHeaders(method: string, name?: string): Record<string, string> {
  return { 'content-type': 'application/json', accept: ACCEPT, 'mcp-protocol-version': MODERN, 'mcp-method': method, ...(name === undefined ? {} : { 'mcp-name': name }) };
}

// The 2026-07-28 era on /mcp next to the legacy one, cancellation and list_changed end to end:
// the real mcp-connector drives server-everything and a fixture whose tools wait for
// cancellation and change at run time; clients are the MCP SDK v2 client (modern era)
// and v1 client / raw HTTP (legacy era).
describe('/mcp: 2026-07-28 era, cancellation and change notifications', () => {
  let setup: McpGateway | undefined;
  let base: string;
  const closers: (() => Promise<unknown>)[] = [];

  const stats = async (): Promise<{ cancelled: number; reasons: string[]; waiting: number }> => {
    const res = await fetch(`${base}/mcp/clients/dyn`, { method: 'POST', headers: modernHeaders('tools/call', 'stats'), body: JSON.stringify({ jsonrpc: '2.0', id: 's', method: 'tools/call', params: { name: 'stats', arguments: {}, _meta: modernMeta() } }) });
    const body = (await res.json()) as { result: { content: { text: string }[] } };
    return JSON.parse(body.result.content[0]!.text) as { cancelled: number; reasons: string[]; waiting: number };
  };
  const legacySession = async (path: string): Promise<Record<string, string>> => {
    const init = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT }, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) });
    await init.body?.cancel();
    return { 'content-type': 'application/json', accept: ACCEPT, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
  };
  const modernClient = async (path: string): Promise<ClientV2> => {
    const client = new ClientV2({ name: 'e2e-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(new TransportV2(new URL(`${base}${path}`)));
    closers.push(() => client.close());
    return client;
  };

  beforeAll(async () => {
    setup = await startMcpGateway([
      { name: 'everything', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['echo', 'get-sum', 'trigger-long-running-operation'] },
      { name: 'dyn', connection_type: 'stdio', stdio_config: DYNAMIC },
    ]);
    base = setup.gw.url!;
    await until(async () => {
      const res = await fetch(`${base}/mcp`, { method: 'POST', headers: modernHeaders('tools/list'), body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: modernMeta() } }) });
      const body = (await res.json()) as { result?: { tools: unknown[] } };
      return (body.result?.tools.length ?? 0) >= 7 ? true : undefined;
    }, 30_000, 200);
  }, 60_000);

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    await setup?.[Symbol.asyncDispose]();
  });

  it('the SDK v2 client pinned to 2026-07-28 discovers, lists and calls through /mcp, statelessly', async () => {
    const client = await modernClient('/mcp');
    expect(client.getProtocolEra()).toBe('modern');
    const discovered = await client.discover();
    expect(discovered.supportedVersions).toContain(MODERN);
    expect(discovered.capabilities.tools).toBeDefined();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['everything-echo', 'everything-get-sum', 'dyn-wait']));
    const result = await client.callTool({ name: 'everything-echo', arguments: { message: 'modern' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: modern' }]);
    // Progress rides on the request's own response stream.
    const progress: number[] = [];
    const long = await client.callTool({ name: 'everything-trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } }, { onprogress: (p) => progress.push(p.progress) });
    expect(long.isError).toBeFalsy();
    expect(progress.length).toBeGreaterThanOrEqual(2);
    // /mcp/clients/<name> speaks the same era, with upstream names.
    const single = await modernClient('/mcp/clients/everything');
    expect((await single.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })).content).toEqual([{ type: 'text', text: 'The sum of 2 and 3 is 5.' }]);
  });

  it('an auto-negotiating v2 client picks the modern era; a v1 client still gets a legacy session on the same URL', async () => {
    const auto = new ClientV2({ name: 'auto', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await auto.connect(new TransportV2(new URL(`${base}/mcp`)));
    closers.push(() => auto.close());
    expect(auto.getProtocolEra()).toBe('modern');
    const legacy = new Client({ name: 'v1', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`));
    await legacy.connect(transport);
    closers.push(() => legacy.close());
    expect(transport.sessionId).toBeTruthy();
    expect((await legacy.listTools()).tools.length).toBeGreaterThanOrEqual(6);
  });

  it('raw modern requests: result fields, no session, header checks, version and method errors', async () => {
    const post = async (body: Json, headers: Record<string, string>): Promise<{ status: number; json: Json; headers: Headers }> => {
      const res = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Json, headers: res.headers };
    };
    const list = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: modernMeta() } }, modernHeaders('tools/list'));
    expect(list.status).toBe(200);
    expect(list.headers.get('mcp-session-id')).toBeNull();
    expect(list.json.result).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: 'private', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'switchyard' } } });
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'everything-echo', arguments: { message: 'x' }, _meta: modernMeta() } };
    expect((await post(call, modernHeaders('tools/call', 'everything-echo'))).json.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'Echo: x' }] });
    // Mcp-Name missing, or naming another tool; Mcp-Method disagreeing; version header disagreeing.
    for (const headers of [modernHeaders('tools/call'), modernHeaders('tools/call', 'everything-get-sum'), modernHeaders('tools/list', 'everything-echo'), { ...modernHeaders('tools/call', 'everything-echo'), 'mcp-protocol-version': '2025-11-25' }]) {
      const bad = await post(call, headers);
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatchObject({ code: -32020 });
    }
    // A base64 sentinel Mcp-Name is decoded before the comparison.
    expect((await post(call, modernHeaders('tools/call', `=?base64?${Buffer.from('everything-echo').toString('base64')}?=`))).status).toBe(200);
    const future = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: modernMeta({ 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }) } }, { ...modernHeaders('tools/list'), 'mcp-protocol-version': '2099-01-01' });
    expect(future.status).toBe(400);
    expect(future.json.error).toMatchObject({ code: -32022, data: { supported: expect.arrayContaining([MODERN, '2025-11-25']), requested: '2099-01-01' } });
    const removed = await post({ jsonrpc: '2.0', id: 4, method: 'ping', params: { _meta: modernMeta() } }, modernHeaders('ping'));
    expect(removed.status).toBe(404);
    expect(removed.json.error).toMatchObject({ code: -32601 });
    const noCaps = await post({ jsonrpc: '2.0', id: 5, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN } } }, modernHeaders('tools/list'));
    expect(noCaps.status).toBe(400);
    expect(noCaps.json.error).toMatchObject({ code: -32602 });
  });

  it('modern log messages only with io.modelcontextprotocol/logLevel, filtered by it', async () => {
    const levels = async (meta: Json): Promise<string[]> => {
      const res = await fetch(`${base}/mcp`, { method: 'POST', headers: modernHeaders('tools/call', 'dyn-log'), body: JSON.stringify({ jsonrpc: '2.0', id: 'l', method: 'tools/call', params: { name: 'dyn-log', arguments: {}, _meta: meta } }) });
      const text = await res.text();
      const messages = res.headers.get('content-type')!.includes('text/event-stream')
        ? text.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)) as Json)
        : [JSON.parse(text) as Json];
      expect(messages.at(-1)).toMatchObject({ id: 'l', result: { resultType: 'complete', content: [{ type: 'text', text: 'logged' }] } });
      return messages.filter((m) => m.method === 'notifications/message').map((m) => (m.params as Json).level as string);
    };
    expect(await levels(modernMeta())).toEqual([]);
    expect(await levels(modernMeta({ 'io.modelcontextprotocol/logLevel': 'info' }))).toEqual(['info', 'error']);
    expect(await levels(modernMeta({ 'io.modelcontextprotocol/logLevel': 'debug' }))).toEqual(['debug', 'info', 'error']);
  });

  it('notifications/cancelled on a legacy session aborts the upstream call', async () => {
    const headers = await legacySession('/mcp');
    const before = (await stats()).cancelled;
    const pending = fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 'w1', method: 'tools/call', params: { name: 'dyn-wait', arguments: {} } }) });
    await until(async () => ((await stats()).waiting === 1 ? true : undefined), 10_000, 50);
    const cancel = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'w1', reason: 'user stopped it' } }) });
    expect(cancel.status).toBe(202);
    const after = await until(async () => { const s = await stats(); return s.cancelled === before + 1 ? s : undefined; }, 10_000, 50);
    expect(after.waiting).toBe(0);
    (await pending).body?.cancel();
  });

  it('a client closing the SSE response aborts the upstream call (legacy and modern)', async () => {
    const legacy = await legacySession('/mcp');
    const cases: { headers: Record<string, string>; params: Json }[] = [
      { headers: legacy, params: { name: 'dyn-wait', arguments: {}, _meta: { progressToken: 'p1' } } },
      { headers: modernHeaders('tools/call', 'dyn-wait'), params: { name: 'dyn-wait', arguments: {}, _meta: modernMeta({ progressToken: 'p2' }) } },
    ];
    for (const { headers, params } of cases) {
      const before = (await stats()).cancelled;
      const abort = new AbortController();
      const res = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 'w2', method: 'tools/call', params }), signal: abort.signal });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const events = sseStream(res.body!);
      expect(await events.next()).toMatchObject({ method: 'notifications/progress', params: { progress: 1 } });
      abort.abort();
      await until(async () => ((await stats()).cancelled === before + 1 ? true : undefined), 10_000, 50);
    }
  });

  it('an upstream tools change reaches the legacy GET stream and a modern subscriptions/listen stream', async () => {
    const headers = await legacySession('/mcp');
    const get = await fetch(`${base}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': headers['mcp-session-id']!, 'mcp-protocol-version': '2025-11-25' } });
    expect(get.status).toBe(200);
    const legacyEvents = sseStream(get.body!);
    closers.push(() => legacyEvents.cancel());
    // Modern: raw listen (ack first, with the subscription id) and the v2 client's listen().
    const listen = await fetch(`${base}/mcp`, { method: 'POST', headers: modernHeaders('subscriptions/listen'), body: JSON.stringify({ jsonrpc: '2.0', id: 'sub-1', method: 'subscriptions/listen', params: { _meta: modernMeta(), notifications: { toolsListChanged: true, resourceSubscriptions: ['demo://x'] } } }) });
    const modernEvents = sseStream(listen.body!);
    closers.push(() => modernEvents.cancel());
    expect(await modernEvents.next()).toEqual({
      jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged',
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' }, notifications: { toolsListChanged: true } },
    });
    const client = await modernClient('/mcp');
    let changed = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => { changed++; });
    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });
    // The legacy v1 client with its own GET stream, too.
    const v1 = new Client({ name: 'v1-listen', version: '1' });
    let v1Changed = 0;
    v1.setNotificationHandler(ToolListChangedNotificationSchema, () => { v1Changed++; });
    await v1.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    closers.push(() => v1.close());

    const added = await fetch(`${base}/mcp/clients/dyn`, { method: 'POST', headers: modernHeaders('tools/call', 'add_tool'), body: JSON.stringify({ jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'add_tool', arguments: { name: 'fresh' }, _meta: modernMeta() } }) });
    expect(((await added.json()) as Json).result).toMatchObject({ content: [{ type: 'text', text: 'added fresh' }] });

    expect(await legacyEvents.next()).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    expect(await modernEvents.next()).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' } } });
    await until(async () => (changed > 0 && v1Changed > 0 ? true : undefined), 10_000, 50);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('dyn-fresh');
    await subscription.close();
  });
});
