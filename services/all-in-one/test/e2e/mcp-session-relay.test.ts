import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpGateway, until, type McpGateway } from './helpers.js';

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
