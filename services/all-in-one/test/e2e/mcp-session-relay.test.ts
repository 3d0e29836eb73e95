import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpGateway, until, type McpGateway } from './helpers.js';
import { sseStream } from './sse-stream.js';

type Json = Record<string, unknown>;
const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const DYNAMIC = { command: process.execPath, args: [resolve(FIXTURES, 'dynamic-server.mjs')] };
const LEGACY = '2025-11-25';

/** Every `data:` message of an SSE body, read to its end. */
async function sseMessages(res: Response): Promise<Json[]> {
  const text = await res.text();
  return text.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)) as Json);
}

// Legacy sessions on /mcp: cancelling a call answered as JSON.
describe('/mcp legacy sessions: notifications/cancelled for JSON-only calls', () => {
  let setup: McpGateway | undefined;
  let base: string;

  const session = async (accept: string): Promise<Record<string, string>> => {
    const init = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) });
    await init.body?.cancel();
    return { 'content-type': 'application/json', accept, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': LEGACY };
  };
  const post = (headers: Record<string, string>, body: Json): Promise<Response> => fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', ...body }) });
  let statsHeaders: Record<string, string>;
  const stats = async (): Promise<{ cancelled: number; reasons: string[]; waiting: number }> => {
    const body = (await (await post(statsHeaders, { id: 's', method: 'tools/call', params: { name: 'dyn-stats', arguments: {} } })).json()) as { result: { content: { text: string }[] } };
    return JSON.parse(body.result.content[0]!.text) as { cancelled: number; reasons: string[]; waiting: number };
  };

  beforeAll(async () => {
    setup = await startMcpGateway([{ name: 'dyn', connection_type: 'stdio', stdio_config: DYNAMIC }]);
    base = setup.gw.url!;
    statsHeaders = await session('application/json');
    await until(async () => ((await stats().catch(() => undefined))?.waiting === 0 ? true : undefined), 30_000, 200);
  }, 60_000);

  afterAll(async () => {
    await setup?.[Symbol.asyncDispose]();
  });

  it('a call answered as JSON is cancelled: the upstream sees the abort, the POST ends with a -32800 error and no result', async () => {
    const headers = await session('application/json');
    const before = (await stats()).cancelled;
    const pending = post(headers, { id: 'j1', method: 'tools/call', params: { name: 'dyn-wait', arguments: {} } });
    await until(async () => ((await stats()).waiting === 1 ? true : undefined), 10_000, 50);
    const cancel = await post(headers, { method: 'notifications/cancelled', params: { requestId: 'j1', reason: 'json client gave up' } });
    expect(cancel.status).toBe(202);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 'j1', error: { code: -32800 } });
    expect(body.result).toBeUndefined();
    const after = await until(async () => { const s = await stats(); return s.cancelled === before + 1 ? s : undefined; }, 10_000, 50);
    expect(after.waiting).toBe(0);
    expect(after.reasons.at(-1)).toContain('json client gave up');
  });

  it('another session cannot cancel it (the call key carries the session)', async () => {
    const owner = await session('application/json');
    const other = await session('application/json');
    const pending = post(owner, { id: 'j2', method: 'tools/call', params: { name: 'dyn-wait', arguments: {} } });
    await until(async () => ((await stats()).waiting === 1 ? true : undefined), 10_000, 50);
    const before = (await stats()).cancelled;
    expect((await post(other, { method: 'notifications/cancelled', params: { requestId: 'j2' } })).status).toBe(202);
    expect((await stats()).waiting).toBe(1);
    expect((await post(owner, { method: 'notifications/cancelled', params: { requestId: 'j2' } })).status).toBe(202);
    expect(((await (await pending).json()) as Json).error).toMatchObject({ code: -32800 });
    expect((await stats()).cancelled).toBe(before + 1);
  });

  it('a streamed call that is cancelled ends its SSE response without a response message', async () => {
    const headers = await session('application/json, text/event-stream');
    const before = (await stats()).cancelled;
    const res = await post(headers, { id: 'e1', method: 'tools/call', params: { name: 'dyn-wait', arguments: {}, _meta: { progressToken: 'p' } } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const messages = sseMessages(res);
    await until(async () => ((await stats()).waiting === 1 ? true : undefined), 10_000, 50);
    expect((await post(headers, { method: 'notifications/cancelled', params: { requestId: 'e1' } })).status).toBe(202);
    const seen = await messages;
    expect(seen.map((m) => m.method)).toEqual(['notifications/progress']);
    expect(seen.some((m) => m.id === 'e1')).toBe(false);
    await until(async () => ((await stats()).cancelled === before + 1 ? true : undefined), 10_000, 50);
  });
});


// resources/subscribe on legacy sessions: upstream notifications/resources/updated reach the
// subscribed sessions' GET streams only, and the upstream subscription is reference-counted.
describe('/mcp legacy sessions: notifications/resources/updated', () => {
  let setup: McpGateway | undefined;
  let base: string;
  const closers: (() => Promise<unknown>)[] = [];
  const WATCHED = 'test://watched-resource';

  const session = async (): Promise<Record<string, string>> => {
    const init = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) });
    await init.body?.cancel();
    return { 'content-type': 'application/json', accept: 'application/json', 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': LEGACY };
  };
  const rpc = async (headers: Record<string, string>, method: string, params: Json): Promise<Json> => {
    const res = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: method, method, params }) });
    return (await res.json()) as Json;
  };
  const stream = async (headers: Record<string, string>): Promise<ReturnType<typeof sseStream>> => {
    const res = await fetch(`${base}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': headers['mcp-session-id']!, 'mcp-protocol-version': LEGACY } });
    expect(res.status).toBe(200);
    const events = sseStream(res.body!);
    closers.push(() => events.cancel());
    return events;
  };
  /** Changes the watched resource upstream; the fixture says whether its upstream session is subscribed. */
  const touchResource = async (headers: Record<string, string>): Promise<string> => {
    const body = await rpc(headers, 'tools/call', { name: 'conf-test_update_watched_resource', arguments: {} });
    return ((body.result as { content: { text: string }[] }).content[0]!.text);
  };
  const isUpdate = (m: Json | undefined): boolean => m?.method === 'notifications/resources/updated' && (m.params as Json).uri === WATCHED;

  beforeAll(async () => {
    setup = await startMcpGateway([{ name: 'conf', connection_type: 'stdio', stdio_config: { command: process.execPath, args: [resolve(FIXTURES, 'conformance-server.mjs'), '--stdio'] } }]);
    base = setup.gw.url!;
    const probe = await session();
    await until(async () => (((await rpc(probe, 'resources/list', {})).result as { resources?: unknown[] } | undefined)?.resources?.length ? true : undefined), 30_000, 200);
  }, 60_000);

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    await setup?.[Symbol.asyncDispose]();
  });

  it('only the subscribed session hears of an update; after unsubscribe nobody does, and the upstream subscription is gone', async () => {
    const subscribed = await session();
    const other = await session();
    const [subscribedEvents, otherEvents] = [await stream(subscribed), await stream(other)];
    expect(await touchResource(other)).toBe('updated (nobody subscribed)');

    expect(await rpc(subscribed, 'resources/subscribe', { uri: WATCHED })).toMatchObject({ result: {} });
    expect(await touchResource(other)).toBe('updated (subscribed)');
    expect(isUpdate(await subscribedEvents.next())).toBe(true);
    expect(await otherEvents.next(500)).toBeUndefined();

    expect(await rpc(subscribed, 'resources/unsubscribe', { uri: WATCHED })).toMatchObject({ result: {} });
    expect(await touchResource(other)).toBe('updated (nobody subscribed)');
    expect(await subscribedEvents.next(500)).toBeUndefined();
    expect(await otherEvents.next(100)).toBeUndefined();
  });

  it('the upstream subscription lasts while any session holds it: unsubscribe and DELETE release it in turn', async () => {
    const first = await session();
    const second = await session();
    const [firstEvents, secondEvents] = [await stream(first), await stream(second)];
    await rpc(first, 'resources/subscribe', { uri: WATCHED });
    await rpc(second, 'resources/subscribe', { uri: WATCHED });
    expect(await touchResource(first)).toBe('updated (subscribed)');
    expect(isUpdate(await firstEvents.next())).toBe(true);
    expect(isUpdate(await secondEvents.next())).toBe(true);

    await rpc(first, 'resources/unsubscribe', { uri: WATCHED });
    expect(await touchResource(first)).toBe('updated (subscribed)');
    expect(isUpdate(await secondEvents.next())).toBe(true);
    expect(await firstEvents.next(300)).toBeUndefined();

    const deleted = await fetch(`${base}/mcp`, { method: 'DELETE', headers: second });
    expect(deleted.status).toBe(200);
    expect(await touchResource(first)).toBe('updated (nobody subscribed)');
  });

  it('2026-07-28: subscriptions/listen with resourceSubscriptions acknowledges the known URIs and carries their updates until closed', async () => {
    const legacy = await session();
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } };
    const discover = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' }, body: JSON.stringify({ jsonrpc: '2.0', id: 'd', method: 'server/discover', params: { _meta: meta } }) });
    expect(((await discover.json()) as { result: { capabilities: Json } }).result.capabilities).toMatchObject({ resources: { subscribe: true } });
    const abort = new AbortController();
    const listen = await fetch(`${base}/mcp`, {
      method: 'POST', signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'subscriptions/listen' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'L1', method: 'subscriptions/listen', params: { _meta: meta, notifications: { resourceSubscriptions: [WATCHED, 'test://not-listed'] } } }),
    });
    const events = sseStream(listen.body!);
    closers.push(() => events.cancel());
    expect(await events.next()).toEqual({
      jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged',
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'L1' }, notifications: { resourceSubscriptions: [WATCHED] } },
    });
    expect(await touchResource(legacy)).toBe('updated (subscribed)');
    expect(await events.next()).toEqual({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: WATCHED, _meta: { 'io.modelcontextprotocol/subscriptionId': 'L1' } } });
    // Closing the stream ends the subscription, upstream too.
    abort.abort();
    await until(async () => ((await touchResource(legacy)) === 'updated (nobody subscribed)' ? true : undefined), 10_000, 100);
  });
});
