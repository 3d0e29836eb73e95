import { SwitchyardError } from '@switchyard/errors';
import { create, implementService, mcpconnector, SUBJECTS, startGrpcServer, toBinary, type GrpcServerHandle } from '@switchyard/proto';
import { freePort } from '@switchyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from './harness.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** mcp-connector's gRPC surface, with a catalog the test changes. */
class FakeConnector {
  tools: string[] = [];
  version = 'v0';
  listCalls = 0;
  implementation(): ReturnType<typeof implementService> {
    return implementService(mcpconnector.McpConnectorService, {
      listTools: async () => {
        this.listCalls++;
        return {
          catalogVersion: this.version,
          tools: this.tools.map((name) => ({
            name, client: name.split('-')[0] ?? '', upstreamName: name,
            definition: enc.encode(JSON.stringify({ name, description: `the ${name} tool`, inputSchema: { type: 'object' } })),
          })),
        };
      },
      callTool: async (req) => {
        if (req.name === 'slow-tool') throw new SwitchyardError('upstream_timeout', 'tool timed out');
        return { result: enc.encode(JSON.stringify({ content: [{ type: 'text', text: `ran ${req.name} ${dec.decode(req.arguments)}` }] })) };
      },
      listClients: async () => ({ clients: [] }),
      listCatalog: async () => ({ resources: [], resourceTemplates: [], prompts: [], catalogVersion: this.version }),
      forward: async () => ({ outcome: { case: 'error', value: enc.encode(JSON.stringify({ code: -32601, message: 'not in this fake' })) } }),
      callToolStream: async function* (req) {
        yield { event: { case: 'result', value: enc.encode(JSON.stringify({ content: [{ type: 'text', text: `ran ${req.name} ${dec.decode(req.arguments)}` }] })) } };
      },
      respondToUpstream: async () => ({ delivered: false }),
      cancelCall: async () => ({ cancelled: false }),
    });
  }
}

const post = async (url: string, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> => {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

const CHAT = '{ "model" : "openai/gpt-4o-mini",\n "messages":[{"role":"user","content":"hi"}] }';

describe('MCP tools with a live (fake) mcp-connector', () => {
  const connector = new FakeConnector();
  let server: GrpcServerHandle;
  let h: Harness;

  beforeAll(async () => {
    server = await startGrpcServer([{ service: mcpconnector.McpConnectorService, implementation: connector.implementation() }], '127.0.0.1', 0);
    h = await startHarness({ bus: 'memory', overrides: { mcp_connector_addr: `127.0.0.1:${server.port}` } });
  });
  afterAll(async () => {
    await h?.close();
    await server?.shutdown(500);
  });

  it('passes the body byte for byte while the catalog is empty', async () => {
    expect((await post(h.url, '/v1/chat/completions', CHAT)).status).toBe(200);
    expect(dec.decode(h.fakes.llm.calls.at(-1)!.body)).toBe(CHAT);
  });

  it('injects the catalog after catalog.changed, without waiting for the TTL', async () => {
    connector.tools = ['alpha-echo'];
    connector.version = 'v1';
    h.bus.publish(SUBJECTS.catalogChanged, toBinary(mcpconnector.CatalogChangedSchema, create(mcpconnector.CatalogChangedSchema, { client: 'alpha', catalogVersion: 'v1' })));
    await waitFor(async () => {
      await post(h.url, '/v1/chat/completions', CHAT);
      const sent = JSON.parse(dec.decode(h.fakes.llm.calls.at(-1)!.body)) as { tools?: { function: { name: string } }[] };
      return sent.tools?.[0]?.function.name === 'alpha-echo';
    });
    const sent = JSON.parse(dec.decode(h.fakes.llm.calls.at(-1)!.body)) as Record<string, unknown>;
    expect(sent.tools).toEqual([{ type: 'function', function: { name: 'alpha-echo', description: 'the alpha-echo tool', parameters: { type: 'object' } } }]);
    await post(h.url, '/v1/chat/completions', CHAT, { 'x-switchyard-mcp-include-clients': '' });
    expect(dec.decode(h.fakes.llm.calls.at(-1)!.body)).toBe(CHAT);
  });

  it('executes tool calls and maps a tool timeout to 504', async () => {
    const ok = await post(h.url, '/v1/mcp/tool/execute', JSON.stringify({ id: 'c1', type: 'function', function: { name: 'alpha-echo', arguments: '{"a":1}' } }));
    expect(ok).toEqual({ status: 200, json: { role: 'tool', tool_call_id: 'c1', content: 'ran alpha-echo {"a":1}' } });
    const slow = await post(h.url, '/v1/mcp/tool/execute', JSON.stringify({ id: 'c2', type: 'function', function: { name: 'slow-tool', arguments: '{}' } }));
    expect(slow.status).toBe(504);
    expect(slow.json.error).toMatchObject({ type: 'server_error' });
  });
});

describe('MCP with mcp-connector unreachable', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ bus: 'memory', overrides: { mcp_connector_addr: `127.0.0.1:${await freePort()}` } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps chat working untouched, counts the failure, and answers execute with 503', async () => {
    const chat = await post(h.url, '/v1/chat/completions', CHAT);
    expect(chat.status).toBe(200);
    expect(dec.decode(h.fakes.llm.calls.at(-1)!.body)).toBe(CHAT);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_edge_mcp_catalog_errors_total\{[^}]*\} [1-9]/);
    const exec = await post(h.url, '/v1/mcp/tool/execute', JSON.stringify({ id: 'c1', type: 'function', function: { name: 'x-y', arguments: '{}' } }));
    expect(exec.status).toBe(503);
    expect(exec.json.error).toMatchObject({ type: 'server_error' });
  });
});

describe('MCP disabled', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ bus: 'memory', overrides: { mcp: { enabled: false } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('has no execute route', async () => {
    const exec = await post(h.url, '/v1/mcp/tool/execute', JSON.stringify({ id: 'c1', type: 'function', function: { name: 'x-y', arguments: '{}' } }));
    expect(exec.status).toBe(404);
    expect(exec.json.error).toMatchObject({ code: 'route_not_found' });
  });
});
