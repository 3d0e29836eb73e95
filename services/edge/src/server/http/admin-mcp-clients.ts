import { SwitchyardError } from '@switchyard/errors';
import type { HttpBindings } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import type { McpClientAdmin, McpClientView } from '../../domain/mcp-client-admin.js';

type AdminEnv = { Bindings: HttpBindings };

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function mcpClientJson(v: McpClientView): Record<string, unknown> {
  return {
    name: v.name,
    source: v.source,
    read_only: v.source !== 'api',
    config: v.config,
    state: v.state,
    tool_count: v.toolCount,
    tools: v.tools,
    protocol_era: v.protocolEra ?? null,
    created_at: iso(v.createdAt),
    updated_at: iso(v.updatedAt),
  };
}

function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SwitchyardError('invalid_argument', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * `/api/mcp/clients`: MCP client configs (Bifrost's field names), validated and stored
 * by mcp-connector; switchyard.yaml's clients are listed too, read-only.
 */
export function mountMcpClientRoutes(api: Hono<AdminEnv>, admin: McpClientAdmin, jsonBody: (c: Context<AdminEnv>) => Promise<unknown>): void {
  api.get('/mcp/clients', async (c) => {
    const clients = await admin.list();
    return c.json({ data: clients.map(mcpClientJson), count: clients.length });
  });
  api.post('/mcp/clients', async (c) => c.json(mcpClientJson(await admin.create(object(await jsonBody(c)))), 201));
  api.get('/mcp/clients/:name', async (c) => c.json(mcpClientJson(await admin.get(c.req.param('name')))));
  const update = async (c: Context<AdminEnv>): Promise<Response> => c.json(mcpClientJson(await admin.update(c.req.param('name') ?? '', object(await jsonBody(c)))));
  api.put('/mcp/clients/:name', update);
  api.patch('/mcp/clients/:name', update);
  api.delete('/mcp/clients/:name', async (c) => {
    await admin.remove(c.req.param('name'));
    return c.body(null, 204);
  });
  api.post('/mcp/clients/:name/reconnect', async (c) => c.json(mcpClientJson(await admin.reconnect(c.req.param('name')))));
}
