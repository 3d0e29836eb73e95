import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import { createLogger, createRegistry } from '@switchyard/obs';
import { EdgeMetrics } from '../../src/adapters/metrics.js';
import type { Authenticator } from '../../src/domain/authenticator.js';
import type { McpTool } from '../../src/domain/mcp-tools.js';
import type { ToolExecution } from '../../src/domain/ports.js';
import { ToolCatalogCache } from '../../src/domain/tool-catalog.js';
import type { ToolAuditRecord } from '../../src/domain/types.js';
import { MemorySessionStore } from '../../src/domain/mcp-sessions.js';
import { mcpServerRoutes } from '../../src/server/http/mcp-server.js';
import { testLimitsGate } from '../limits-fixture.js';
import {
  classify, dispatch, headerVersion, issueSessionId, negotiateVersion, originAllowed, verifySessionId, type McpServerSource,
} from '../../src/server/http/mcp-server-protocol.js';

const SECRET = 's'.repeat(32);

describe('session ids', () => {
  it('verifies ids it issued, for the same secret and scope only', () => {
    const id = issueSessionId(SECRET, 'k1');
    expect(id).toMatch(/^[\x21-\x7e]+$/);
    expect(verifySessionId(SECRET, 'k1', id)).toBe(true);
    expect(verifySessionId('t'.repeat(32), 'k1', id)).toBe(false);
    expect(verifySessionId(SECRET, 'k2', id)).toBe(false);
    expect(issueSessionId(SECRET, 'k1')).not.toBe(id);
  });

  it('rejects forged and malformed ids', () => {
    const id = issueSessionId(SECRET, 'k1');
    const [prefix, nonce, mac] = id.split('.') as [string, string, string];
    expect(verifySessionId(SECRET, 'k1', `${prefix}.${nonce}.${mac.slice(0, -2)}AA`)).toBe(false);
    expect(verifySessionId(SECRET, 'k1', `${prefix}.${'A'.repeat(nonce.length)}.${mac}`)).toBe(false);
    for (const bad of ['', 'x', 'sy1..', `${prefix}.${nonce}`, `v0.${nonce}.${mac}`, `${id}.extra`, crypto.randomUUID()]) {
      expect(verifySessionId(SECRET, 'k1', bad)).toBe(false);
    }
  });
});

describe('Origin rules', () => {
  it('accepts no Origin, localhost on any port, and the allow-list', () => {
    expect(originAllowed(undefined, [])).toBe(true);
    expect(originAllowed('http://localhost:6274', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1', [])).toBe(true);
    expect(originAllowed('https://[::1]:8443', [])).toBe(true);
    expect(originAllowed('https://app.example.com', ['https://app.example.com/'])).toBe(true);
  });

  it('rejects other origins, look-alikes and garbage', () => {
    expect(originAllowed('https://evil.example.com', ['https://app.example.com'])).toBe(false);
    expect(originAllowed('http://localhost.evil.com', [])).toBe(false);
    expect(originAllowed('https://app.example.com:444', ['https://app.example.com'])).toBe(false);
    expect(originAllowed('null', [])).toBe(false);
    expect(originAllowed('file://localhost', [])).toBe(false);
  });
});

describe('protocol versions and message classes', () => {
  it('negotiates and checks MCP-Protocol-Version', () => {
    expect(negotiateVersion('2025-06-18')).toBe('2025-06-18');
    expect(negotiateVersion('1999-01-01')).toBe('2025-11-25');
    expect(headerVersion(undefined)).toBe('2025-03-26');
    expect(headerVersion('2025-11-25')).toBe('2025-11-25');
    expect(headerVersion('2026-07-28')).toBeUndefined();
  });

  it('classifies requests, notifications, responses and junk', () => {
    expect(classify({ jsonrpc: '2.0', id: 1, method: 'ping' })).toMatchObject({ kind: 'request', id: 1 });
    expect(classify({ jsonrpc: '2.0', method: 'notifications/initialized' }).kind).toBe('notification');
    expect(classify({ jsonrpc: '2.0', id: 'a', result: {} }).kind).toBe('response');
    expect(classify({ id: 1, method: 'ping' }).kind).toBe('invalid');
    expect(classify({ jsonrpc: '2.0', id: {}, method: 'ping' }).kind).toBe('invalid');
    expect(classify({ jsonrpc: '2.0', id: 1, method: 'x', params: [1] }).kind).toBe('invalid');
  });
});

describe('JSON-RPC dispatch', () => {
  const calls: Array<{ name: string; args: unknown }> = [];
  const source: McpServerSource = {
    tools: () => [{ name: 'e-echo', definition: { name: 'echo', title: 'Echo', inputSchema: { type: 'object' }, _meta: { x: 1 } } }],
    async call(name, args) {
      calls.push({ name, args });
      if ((args as { fail?: boolean }).fail) throw new Error('denied');
      return { content: [{ type: 'text', text: 'ok' }], structuredContent: { a: 1 } };
    },
    errorMessage: (err) => `error: ${(err as Error).message}`,
  };
  const ctx = { source, info: { name: 'switchyard', version: '1' }, signal: new AbortController().signal };
  const run = (method: string, params?: Record<string, unknown>) => dispatch({ id: 7, method, params }, ctx);

  it('initialize declares tools and echoes a supported version', async () => {
    const res = await run('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } });
    expect(res.result).toEqual({ protocolVersion: '2025-06-18', capabilities: { tools: { listChanged: false } }, serverInfo: { name: 'switchyard', version: '1' } });
  });

  it('ping, tools/list with definitions passed through under the exposed name', async () => {
    expect((await run('ping')).result).toEqual({});
    expect((await run('tools/list')).result).toEqual({ tools: [{ name: 'e-echo', title: 'Echo', inputSchema: { type: 'object' }, _meta: { x: 1 } }] });
  });

  it('tools/call returns the upstream result; failures are isError results', async () => {
    expect((await run('tools/call', { name: 'e-echo', arguments: { message: 'hi' } })).result).toEqual({ content: [{ type: 'text', text: 'ok' }], structuredContent: { a: 1 } });
    expect(calls.at(-1)).toEqual({ name: 'e-echo', args: { message: 'hi' } });
    expect((await run('tools/call', { name: 'e-echo', arguments: { fail: true } })).result).toEqual({ content: [{ type: 'text', text: 'error: denied' }], isError: true });
  });

  it('unknown tool and bad params → -32602; unknown method → -32601', async () => {
    expect((await run('tools/call', { name: 'nope' })).error?.code).toBe(-32602);
    expect((await run('tools/call', {})).error?.code).toBe(-32602);
    expect((await run('tools/call', { name: 'e-echo', arguments: 'x' })).error?.code).toBe(-32602);
    expect((await run('resources/list')).error?.code).toBe(-32601);
  });
});

describe('the /mcp routes', () => {
  const tools: McpTool[] = [
    { name: 'everything-echo', client: 'everything', upstreamName: 'echo', description: 'echo', parameters: { type: 'object' }, definition: { name: 'echo', description: 'echo', inputSchema: { type: 'object' } } },
    { name: 'second-get-sum', client: 'second', upstreamName: 'get-sum', description: undefined, parameters: {}, definition: { name: 'get-sum', inputSchema: { type: 'object' } } },
  ];
  const executed: ToolExecution[] = [];
  const audited: ToolAuditRecord[] = [];
  const registry = createRegistry({ service: 'edge-test', defaultMetrics: false });
  const auth = { authenticate: (cred: string | undefined) => {
    if (cred === 'bad') throw new SwitchyardError('unauthenticated', 'invalid key');
    if (cred === 'broke') return { keyId: 'vk_broke', models: undefined, allowedModels: [], limits: { budgets: [{ id: 'b0', entityKind: 'key', entityId: 'vk_broke', limitMicros: 0, period: '1d' }], rateLimits: [] } };
    return { keyId: cred ?? '', models: undefined, allowedModels: [] };
  } } as unknown as Authenticator;
  const routes = mcpServerRoutes({
    auth,
    catalog: new ToolCatalogCache({ list: async () => ({ tools, version: 'v1' }) }, { ttlMs: 60_000, retryMs: 1_000 }),
    executor: {
      async call(e) {
        executed.push(e);
        if (e.name === 'second-get-sum') throw new SwitchyardError('permission_denied', 'tool is blocked', { code: 'mcp_tool_blocked' });
        return { content: [{ type: 'text', text: `Echo: ${(JSON.parse(e.arguments) as { message: string }).message}` }] };
      },
    },
    audit: { recordTool: (r) => audited.push({ ...r }) },
    metrics: new EdgeMetrics(registry),
    logger: createLogger({ service: 'edge-test', level: 'silent' }),
    bodyLimitBytes: 1024,
    toolTimeoutMs: 1_000,
    logContent: false,
    limits: testLimitsGate().gate,
    sessionSecret: SECRET,
    sessions: new MemorySessionStore(60_000),
    allowedOrigins: ['https://ok.example.com'],
  });
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    routes.request(path, { method: 'POST', headers: { ...base, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const init = async (path = '/', headers: Record<string, string> = {}): Promise<string> => {
    const res = await post(path, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }, headers);
    expect(res.status).toBe(200);
    return res.headers.get('mcp-session-id')!;
  };

  it('initializes, takes notifications with 202, lists and calls with the session', async () => {
    const sid = await init();
    expect((await post('/', { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': sid })).status).toBe(202);
    const list = await post('/', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' });
    expect(list.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await list.json()) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name)).toEqual(['everything-echo', 'second-get-sum']);
    const call = await post('/', { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'everything-echo', arguments: { message: 'hi' } } }, { 'mcp-session-id': sid });
    expect(await call.json()).toEqual({ jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'Echo: hi' }] } });
    expect(audited.at(-1)).toMatchObject({ tool: 'everything-echo', client: 'everything', status: 200, route: '/mcp' });
  });

  it('a policy denial is an isError result and a 403 audit event', async () => {
    const sid = await init();
    const res = await post('/', { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'second-get-sum', arguments: {} } }, { 'mcp-session-id': sid });
    const body = (await res.json()) as { result: { isError: boolean; content: Array<{ text: string }> } };
    expect(body.result.isError).toBe(true);
    expect(body.result.content[0]!.text).toMatch(/blocked/);
    expect(audited.at(-1)).toMatchObject({ tool: 'second-get-sum', status: 403, errorKind: 'permission_denied' });
  });

  it('an exhausted budget is an isError result saying so, and the tool does not run', async () => {
    const sid = await init('/', { authorization: 'Bearer broke' });
    const before = executed.length;
    const res = await post('/', { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'everything-echo', arguments: { message: 'x' } } }, { authorization: 'Bearer broke', 'mcp-session-id': sid });
    const body = (await res.json()) as { result: { isError: boolean; content: Array<{ text: string }> } };
    expect(body.result.isError).toBe(true);
    expect(body.result.content[0]!.text).toMatch(/^error: budget exceeded: the key budget b0/);
    expect(executed.length).toBe(before);
    expect(audited.at(-1)).toMatchObject({ tool: 'everything-echo', status: 429, errorKind: 'budget_exceeded' });
  });

  it('/clients/<name> lists upstream names and maps calls back', async () => {
    const sid = await init('/clients/everything');
    const list = await post('/clients/everything', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': sid });
    expect(((await list.json()) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name)).toEqual(['echo']);
    await post('/clients/everything', { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } }, { 'mcp-session-id': sid });
    expect(executed.at(-1)?.name).toBe('everything-echo');
    expect(audited.at(-1)).toMatchObject({ route: '/mcp/clients/everything' });
    // A session of one endpoint is not one of another.
    expect((await post('/', { jsonrpc: '2.0', id: 3, method: 'ping' }, { 'mcp-session-id': sid })).status).toBe(404);
  });

  it('session rules: missing 400, forged or other key 404, DELETE 200 then 404', async () => {
    const sid = await init('/', { authorization: 'Bearer k1' });
    const ping = (headers: Record<string, string>) => post('/', { jsonrpc: '2.0', id: 1, method: 'ping' }, headers);
    expect((await ping({ authorization: 'Bearer k1' })).status).toBe(400);
    expect((await ping({ authorization: 'Bearer k1', 'mcp-session-id': sid })).status).toBe(200);
    expect((await ping({ authorization: 'Bearer k1', 'mcp-session-id': `${sid.slice(0, -3)}xyz` })).status).toBe(404);
    expect((await ping({ authorization: 'Bearer k2', 'mcp-session-id': sid })).status).toBe(404);
    // Another key cannot end it.
    expect((await routes.request('/', { method: 'DELETE', headers: { authorization: 'Bearer k2', 'mcp-session-id': sid } })).status).toBe(404);
    expect((await routes.request('/', { method: 'DELETE', headers: { authorization: 'Bearer k1', 'mcp-session-id': sid } })).status).toBe(200);
    // Revoked: the signed id alone no longer opens anything.
    expect((await ping({ authorization: 'Bearer k1', 'mcp-session-id': sid })).status).toBe(404);
    expect((await routes.request('/', { method: 'DELETE', headers: { authorization: 'Bearer k1', 'mcp-session-id': sid } })).status).toBe(404);
    expect((await routes.request('/', { method: 'DELETE', headers: { authorization: 'Bearer k1', 'mcp-session-id': 'forged' } })).status).toBe(404);
  });

  it('HTTP rules: Origin 403, bad version 400, GET 405, bad key 401, parse error, body limit', async () => {
    expect((await post('/', { jsonrpc: '2.0', id: 0, method: 'initialize' }, { origin: 'https://evil.example.com' })).status).toBe(403);
    expect((await init('/', { origin: 'https://ok.example.com' })).length).toBeGreaterThan(0);
    const sid = await init();
    expect((await post('/', { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': sid, 'mcp-protocol-version': '1999-01-01' })).status).toBe(400);
    const get = await routes.request('/', { method: 'GET', headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, DELETE');
    expect((await post('/', { jsonrpc: '2.0', id: 0, method: 'initialize' }, { authorization: 'Bearer bad' })).status).toBe(401);
    const parse = await post('/', '{nope');
    expect(parse.status).toBe(400);
    expect(((await parse.json()) as { error: { code: number } }).error.code).toBe(-32700);
    expect((await post('/', { jsonrpc: '2.0', id: 0, method: 'initialize', params: { pad: 'x'.repeat(2048) } })).status).toBe(413);
    expect((await post('/', { jsonrpc: '2.0', id: 0, method: 'initialize' }, { accept: 'text/event-stream' })).status).toBe(406);
    const unknown = await post('/', { jsonrpc: '2.0', id: 9, method: 'prompts/list' }, { 'mcp-session-id': sid });
    expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(-32601);
  });
});
