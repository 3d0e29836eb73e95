import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '@switchyard/bus';
import { createLogger } from '@switchyard/obs';
import { fromBinary, mcpconnector, SUBJECTS } from '@switchyard/proto';
import { waitFor } from '@switchyard/testing';
import { createApp, exposedToolName, loadMcpConnectorConfig, type McpConnectorApp } from '../../src/index.js';
import { connect, json, NODE, PAGED, parse, stdioChildren, type Connector } from './harness.js';
// The fixture's exported definition, to compare byte for byte.
import { RICH } from '../fixtures/paged-server.mjs';

describe('catalog discovery and refresh (paginated fixture server over stdio)', () => {
  let app: McpConnectorApp;
  let rpc: Connector;
  const bus = new MemoryBus();
  const changes: { client: string; version: string }[] = [];

  beforeAll(async () => {
    bus.subscribe(SUBJECTS.catalogChanged, (msg) => {
      const e = fromBinary(mcpconnector.CatalogChangedSchema, msg.data);
      changes.push({ client: e.client, version: e.catalogVersion });
    });
    const config = loadMcpConnectorConfig({
      env: {},
      overrides: {
        grpc: { port: 0 },
        ops: { port: -1 },
        clients: [
          { name: 'paged', connection_type: 'stdio', stdio_config: { command: NODE, args: [PAGED, '250', '100'] } },
          { name: 'none', connection_type: 'stdio', stdio_config: { command: NODE, args: [PAGED, '3', '10'] }, tools_to_execute: [] },
        ],
      },
    });
    app = createApp(config, { bus, logger: createLogger({ service: 'mcp-connector-test', level: 'silent' }) });
    rpc = await connect((await app.start()).grpcPort);
    await waitFor(() => app.clients().every((c) => c.state === 'connected'), { timeoutMs: 20_000, intervalMs: 20 });
  }, 30_000);

  afterAll(async () => {
    rpc?.close();
    await app?.[Symbol.asyncDispose]();
  });

  it('follows every page of tools/list', async () => {
    const { tools } = await rpc.client.listTools({ clients: ['paged'] });
    expect(tools).toHaveLength(250);
    expect(tools.at(-1)?.upstreamName).toBe('tool_0248');
    const { clients } = await rpc.client.listClients({});
    expect(clients.find((c) => c.name === 'paged')?.toolCount).toBe(250);
  });

  it('keeps a tool definition intact (title, annotations, icons, _meta, 2020-12 schemas) under a sanitised name', async () => {
    const { tools } = await rpc.client.listTools({ clients: ['paged'] });
    const rich = tools.find((t) => t.upstreamName === 'rich.tool');
    expect(rich?.name).toBe(exposedToolName('paged', 'rich.tool'));
    expect(rich?.name).toMatch(/^paged-rich_tool-[0-9a-f]{8}$/);
    expect(parse(rich!.definition)).toEqual(RICH);
  });

  it('an empty tools_to_execute lists nothing and blocks calls', async () => {
    const { tools } = await rpc.client.listTools({ clients: ['none'] });
    expect(tools).toEqual([]);
    const err = await rpc.client.callTool({ name: 'none-tool_0000', arguments: json({}) }).catch((e: unknown) => e as { code?: string });
    expect(err).toMatchObject({ kind: 'permission_denied', code: 'mcp_tool_blocked' });
  });

  it('passes results through untouched (no output-schema validation, _meta kept)', async () => {
    const name = exposedToolName('paged', 'rich.tool');
    const result = parse((await rpc.client.callTool({ name, arguments: json({ n: 2 }) })).result);
    expect(result).toEqual({ content: [{ type: 'text', text: 'n=2' }], structuredContent: { doubled: 'not an integer' }, _meta: { 'example.com/trace': 'abc' } });
  });

  it('refreshes the catalog on tools/list_changed and publishes catalog.changed', async () => {
    const before = await rpc.client.listTools({});
    const seen = changes.length;
    await rpc.client.callTool({ name: 'paged-tool_0000', arguments: json({}) });
    await waitFor(async () => (await rpc.client.listTools({ clients: ['paged'] })).tools.length === 251, { timeoutMs: 5000, intervalMs: 20 });
    const after = await rpc.client.listTools({});
    expect(after.catalogVersion).not.toBe(before.catalogVersion);
    expect(after.tools.map((t) => t.name)).toContain('paged-added_250');
    await waitFor(() => changes.length > seen, { timeoutMs: 2000, intervalMs: 10 });
    expect(changes.at(-1)).toEqual({ client: 'paged', version: after.catalogVersion });
  });

  it('dispose leaves no stdio child behind', async () => {
    expect((await stdioChildren()).length).toBeGreaterThanOrEqual(2);
    rpc.close();
    await app[Symbol.asyncDispose]();
    expect(await stdioChildren()).toEqual([]);
  });
});
