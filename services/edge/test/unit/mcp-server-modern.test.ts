import { describe, expect, it } from 'vitest';
import {
  checkParamHeaders, classifyEra, decodeHeaderValue, honouredFilter, modernAnswer, type EraVerdict,
} from '../../src/server/http/mcp-server-modern.js';
import type { Classified } from '../../src/server/http/mcp-server-protocol.js';

const V = '2026-07-28';
const meta = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': {}, ...extra,
});
const headers = (h: Record<string, string>) => (name: string): string | undefined => h[name];
const request = (method: string, params?: Record<string, unknown>): Exclude<Classified, { kind: 'invalid' }> => ({ kind: 'request', id: 1, method, params });
const code = (v: EraVerdict): number | undefined => (v.era === 'rejected' ? v.body.error?.code : undefined);

describe('era classification (body first, headers cross-checked)', () => {
  it('initialize, session traffic and envelope-less requests are legacy', () => {
    expect(classifyEra(request('initialize', { protocolVersion: '2025-11-25' }), headers({}))).toEqual({ era: 'legacy' });
    expect(classifyEra(request('tools/list'), headers({ 'mcp-protocol-version': '2025-11-25' }))).toEqual({ era: 'legacy' });
    expect(classifyEra({ kind: 'response', id: 'sy-1', result: {}, error: undefined }, headers({}))).toEqual({ era: 'legacy' });
    // An envelope naming a legacy revision still needs initialize.
    expect(classifyEra(request('tools/list', { _meta: meta({ 'io.modelcontextprotocol/protocolVersion': '2025-11-25' }) }), headers({ 'mcp-protocol-version': '2025-11-25' }))).toEqual({ era: 'legacy' });
  });

  it('a modern request: the envelope read, reserved keys stripped, the rest of _meta kept', () => {
    const v = classifyEra(
      request('tools/call', { name: 'a-b', arguments: {}, _meta: meta({ progressToken: 7, 'io.modelcontextprotocol/logLevel': 'info', 'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' } }) }),
      headers({ 'mcp-protocol-version': V, 'mcp-method': 'tools/call', 'mcp-name': 'a-b' }),
    );
    expect(v).toEqual({
      era: 'modern',
      envelope: { version: V, clientInfo: { name: 'c', version: '1' }, capabilities: {}, logLevel: 'info' },
      params: { name: 'a-b', arguments: {}, _meta: { progressToken: 7 } },
    });
  });

  it('rejects header/body disagreements with -32020, unknown versions with -32022, bad envelopes with -32602', () => {
    const good = { 'mcp-protocol-version': V, 'mcp-method': 'tools/list' };
    expect(code(classifyEra(request('tools/list', { _meta: meta() }), headers({ 'mcp-method': 'tools/list' })))).toBe(-32020);
    expect(code(classifyEra(request('tools/list', { _meta: meta() }), headers({ 'mcp-protocol-version': V })))).toBe(-32020);
    expect(code(classifyEra(request('tools/list', { _meta: meta() }), headers({ ...good, 'mcp-method': 'prompts/list' })))).toBe(-32020);
    expect(code(classifyEra(request('resources/read', { uri: 'x://a', _meta: meta() }), headers({ ...good, 'mcp-method': 'resources/read' })))).toBe(-32020);
    expect(code(classifyEra(request('resources/read', { uri: 'x://a', _meta: meta() }), headers({ ...good, 'mcp-method': 'resources/read', 'mcp-name': 'x://b' })))).toBe(-32020);
    const future = classifyEra(request('tools/list', { _meta: meta({ 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }) }), headers({ ...good, 'mcp-protocol-version': '2099-01-01' }));
    expect(future).toMatchObject({ era: 'rejected', status: 400, body: { error: { code: -32022, data: { requested: '2099-01-01', supported: expect.arrayContaining([V, '2025-11-25']) } } } });
    expect(code(classifyEra(request('tools/list'), headers(good)))).toBe(-32602);
    expect(code(classifyEra(request('tools/list', { _meta: { 'io.modelcontextprotocol/protocolVersion': V } }), headers(good)))).toBe(-32602);
    expect(code(classifyEra(request('tools/list', { _meta: meta({ 'io.modelcontextprotocol/logLevel': 'loud' }) }), headers(good)))).toBe(-32602);
  });

  it('a notification with the modern header is modern; Mcp-Method is optional there but must match', () => {
    const n = { kind: 'notification' as const, method: 'notifications/cancelled', params: { requestId: 1 } };
    expect(classifyEra(n, headers({ 'mcp-protocol-version': V }))).toMatchObject({ era: 'modern' });
    expect(code(classifyEra(n, headers({ 'mcp-protocol-version': V, 'mcp-method': 'tools/call' })))).toBe(-32020);
  });
});

describe('header values', () => {
  it('decodes the base64 sentinel and refuses control characters', () => {
    expect(decodeHeaderValue('plain value')).toBe('plain value');
    expect(decodeHeaderValue(`=?base64?${Buffer.from('Hello, 世界').toString('base64')}?=`)).toBe('Hello, 世界');
    expect(decodeHeaderValue('bad\u0001')).toBeUndefined();
  });

  it('checks Mcp-Param-* against the arguments the tool mirrors', () => {
    const schema = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, n: { type: 'integer', 'x-mcp-header': 'N' }, q: { type: 'string' } } };
    expect(checkParamHeaders(schema, { region: 'us-west1', n: 42, q: 'x' }, headers({ 'mcp-param-region': 'us-west1', 'mcp-param-n': '42.0' }))).toBeUndefined();
    expect(checkParamHeaders(schema, { q: 'x' }, headers({}))).toBeUndefined();
    expect(checkParamHeaders(schema, { region: 'us-west1' }, headers({}))).toMatch(/Region header is required/i);
    expect(checkParamHeaders(schema, { region: 'us-west1' }, headers({ 'mcp-param-region': 'eu' }))).toMatch(/does not match/);
    expect(checkParamHeaders(schema, {}, headers({ 'mcp-param-region': 'eu' }))).toMatch(/absent argument/);
  });
});

describe('modern results', () => {
  const info = { name: 'switchyard', version: '1.2.3' };
  it('stamps resultType, server info and cache hints; maps method-not-found to 404', () => {
    expect(modernAnswer('tools/list', { jsonrpc: '2.0', id: 1, result: { tools: [] } }, info)).toEqual({
      status: 200,
      body: { jsonrpc: '2.0', id: 1, result: { tools: [], resultType: 'complete', ttlMs: 0, cacheScope: 'private', _meta: { 'io.modelcontextprotocol/serverInfo': info } } },
    });
    const call = modernAnswer('tools/call', { jsonrpc: '2.0', id: 2, result: { content: [], _meta: { x: 1 } } }, info).body.result as Record<string, unknown>;
    expect(call).toEqual({ content: [], resultType: 'complete', _meta: { x: 1, 'io.modelcontextprotocol/serverInfo': info } });
    expect(modernAnswer('ping', { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'nope' } }, info).status).toBe(404);
    expect(modernAnswer('tools/call', { jsonrpc: '2.0', id: 4, error: { code: -32602, message: 'bad' } }, info).status).toBe(200);
  });

  it('honours the list-changed kinds it can announce and leaves resourceSubscriptions out', () => {
    expect(honouredFilter({ notifications: { toolsListChanged: true, promptsListChanged: false, resourceSubscriptions: ['a://b'] } }, ['tools', 'prompts', 'resources']))
      .toEqual({ kinds: ['tools'], ack: { toolsListChanged: true } });
    expect(honouredFilter({ notifications: { promptsListChanged: true } }, ['tools'])).toEqual({ kinds: [], ack: {} });
    expect(honouredFilter({ notifications: 'all' }, ['tools'])).toBeTypeOf('string');
  });
});
