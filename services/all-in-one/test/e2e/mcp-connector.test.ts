import { describe, it, expect } from 'vitest';
import { createClient, mcpconnector } from '@switchyard/proto';
import { createAllInOne } from '../../src/index.js';
import { EVERYTHING_STDIO } from './helpers.js';


// The all-in-one runs mcp-connector from the `mcp_connector` section, against a real MCP server.
describe('all-in-one with an mcp_connector section', () => {
  it('connects the configured upstream over stdio and calls its tools', async () => {
    await using gw = await createAllInOne(
      {
        file: { mcp_connector: { clients: [{ name: 'everything', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['echo'] }] } },
        source: undefined, services: ['mcp-connector'], dataDir: 'memory://', internalTransport: 'grpc',
      },
      { LOG_LEVEL: 'warn' },
    );
    using c = createClient(mcpconnector.McpConnectorService, gw.grpcAddresses['mcp-connector']!);
    const clients = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = await c.client.listClients({});
        if (r.clients[0]?.state === 'connected') return r.clients;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('upstream never connected');
    })();
    expect(clients.map((x) => x.name)).toEqual(['everything']);
    const tools = await c.client.listTools({});
    expect(tools.tools.map((t) => t.name)).toEqual(['everything-echo']);
    const result = await c.client.callTool({ name: 'everything-echo', arguments: new TextEncoder().encode(JSON.stringify({ message: 'hi' })) });
    expect(JSON.stringify(JSON.parse(new TextDecoder().decode(result.result)))).toContain('hi');
  });
});
