// The MCP benchmark's pure parts: the upstream's tool list, the request bodies, the
// reply check (a JSON-RPC error is an HTTP 200 too, so the generator cannot tell).
import { describe, expect, it } from 'vitest';
import { benchTools, checkReply, ECHO_MESSAGE, exposedName, headerRecord, mcpHeaders, rpcBody } from '../src/lib/mcp.js';

describe('benchTools', () => {
  it('builds exactly the requested number of distinct, well-formed tools, echo first', () => {
    const tools = benchTools(500);
    expect(tools).toHaveLength(500);
    expect(tools[0]!.name).toBe('echo');
    expect(new Set(tools.map((t) => t.name)).size).toBe(500);
    for (const t of tools) {
      expect(t.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(t.inputSchema.type).toBe('object');
    }
    expect(JSON.stringify(benchTools(500))).toBe(JSON.stringify(tools));
  });

  it('rejects a count that is not a positive integer', () => {
    expect(() => benchTools(0)).toThrow(/positive integer/);
    expect(() => benchTools(2.5)).toThrow(/positive integer/);
  });
});

describe('rpcBody', () => {
  it('calls the echo tool by the given name, or lists tools', () => {
    expect(JSON.parse(rpcBody('tools/call', exposedName('bench', 'echo')))).toEqual({
      jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'bench-echo', arguments: { message: ECHO_MESSAGE } },
    });
    expect(JSON.parse(rpcBody('tools/list'))).toEqual({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
  });
});

describe('checkReply', () => {
  const echo = (text: string, isError = false): string => JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text }], isError } });

  it('accepts the echo and a complete tool list', () => {
    expect(() => checkReply('tools/call', echo(`Echo: ${ECHO_MESSAGE}`), 0)).not.toThrow();
    expect(() => checkReply('tools/list', JSON.stringify({ jsonrpc: '2.0', id: 1, result: { tools: benchTools(3) } }), 3)).not.toThrow();
  });

  it('rejects JSON-RPC errors, tool errors, wrong counts, pagination and non-JSON', () => {
    expect(() => checkReply('tools/call', JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'Unknown tool: x' } }), 0)).toThrow(/Unknown tool/);
    expect(() => checkReply('tools/call', echo(`Echo: ${ECHO_MESSAGE}`, true), 0)).toThrow(/unexpected/);
    expect(() => checkReply('tools/call', echo('Echo: something else'), 0)).toThrow(/unexpected/);
    expect(() => checkReply('tools/list', JSON.stringify({ jsonrpc: '2.0', id: 1, result: { tools: benchTools(2) } }), 3)).toThrow(/2 tools/);
    expect(() => checkReply('tools/list', JSON.stringify({ jsonrpc: '2.0', id: 1, result: { tools: benchTools(3), nextCursor: 'p2' } }), 3)).toThrow(/cursor/);
    expect(() => checkReply('tools/list', 'event: message\ndata: {}', 3)).toThrow(/not JSON/);
  });
});

describe('mcpHeaders', () => {
  it('sends JSON, accepts JSON and SSE, pins the protocol version, and adds the session when there is one', () => {
    expect(headerRecord(mcpHeaders(undefined))).toEqual({
      'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-11-25',
    });
    expect(headerRecord(mcpHeaders('sy1.abc.def'))['Mcp-Session-Id']).toBe('sy1.abc.def');
  });
});
