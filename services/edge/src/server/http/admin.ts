import { Hono } from 'hono';
import type { McpClientAdmin } from '../../domain/mcp-client-admin.js';
import type { AuditLog, KeyAdmin } from '../../domain/ports.js';
import { governanceRoutes, type GovernanceAdminDeps } from './admin-governance.js';
import type { KeyView } from '../../domain/types.js';
import { adminAuth } from './admin-auth.js';
import { mountMcpClientRoutes } from './admin-mcp-clients.js';
import { createKeyBody, listKeysQuery, logsQuery, updateKeyBody } from './admin-schemas.js';
import { parseWith } from './validation.js';
import { iso, jsonBody, type AdminEnv } from './admin-common.js';
import { limitsAdminRoutes } from './admin-limits.js';
import type { LimitsAdmin } from '../../domain/limits-admin.js';
import type { Counters } from '@switchyard/limits';

export interface AdminDeps extends GovernanceAdminDeps {
  keys: KeyAdmin;
  auditLog: AuditLog;
  adminToken: string | undefined;
  /** MCP client configs (mcp-connector); absent when MCP is off. */
  mcpClients?: McpClientAdmin | undefined;
  /** Budgets, rate limits and usage. */
  limitsAdmin: LimitsAdmin;
  counters: Counters;
}


export function keyJson(k: KeyView): Record<string, unknown> {
  return {
    id: k.id,
    name: k.name,
    enabled: k.enabled,
    expires_at: iso(k.expiresAt),
    allowed_models: k.allowedModels,
    key_prefix: k.keyPrefix,
    created_at: iso(k.createdAt),
    updated_at: iso(k.updatedAt),
    team_id: k.teamId,
    customer_id: k.customerId,
    allowed_providers: k.allowedProviders,
    mcp_tools: k.mcpTools,
    tool_groups: k.toolGroups,
  };
}


/** `/api/*`: key administration (governance) and the audit log (telemetry). */
export function adminRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const api = new Hono<AdminEnv>();
  api.use('*', adminAuth(deps.adminToken));

  api.post('/keys', async (c) => {
    const body = parseWith(createKeyBody, await jsonBody(c));
    const { key, secret } = await deps.keys.create({
      name: body.name,
      enabled: body.enabled,
      expiresAt: body.expires_at ?? null,
      allowedModels: body.allowed_models,
      teamId: body.team_id ?? null,
      customerId: body.customer_id ?? null,
      allowedProviders: body.allowed_providers,
      mcpTools: body.mcp_tools ?? null,
    });
    return c.json({ id: key.id, key: secret, ...keyJson(key) }, 201);
  });

  api.get('/keys', async (c) => {
    const query = parseWith(listKeysQuery, c.req.query());
    const page = await deps.keys.list(query.limit, query.cursor);
    return c.json({ data: page.items.map(keyJson), next_cursor: page.nextCursor || null });
  });

  api.get('/keys/:id', async (c) => c.json(keyJson(await deps.keys.get(c.req.param('id')))));

  api.patch('/keys/:id', async (c) => {
    const body = parseWith(updateKeyBody, await jsonBody(c));
    const key = await deps.keys.update(c.req.param('id'), {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      ...(body.expires_at !== undefined ? { expiresAt: body.expires_at } : {}),
      ...(body.allowed_models !== undefined ? { allowedModels: body.allowed_models } : {}),
      ...(body.team_id !== undefined ? { teamId: body.team_id } : {}),
      ...(body.customer_id !== undefined ? { customerId: body.customer_id } : {}),
      ...(body.allowed_providers !== undefined ? { allowedProviders: body.allowed_providers } : {}),
      ...(body.mcp_tools !== undefined ? { mcpTools: body.mcp_tools } : {}),
    });
    return c.json(keyJson(key));
  });

  api.delete('/keys/:id', async (c) => {
    await deps.keys.remove(c.req.param('id'));
    return c.body(null, 204);
  });

  api.route('/', governanceRoutes(deps));

  api.get('/logs', async (c) => {
    const q = parseWith(logsQuery, c.req.query());
    const page = await deps.auditLog.list({
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      ...(q.key_id !== undefined ? { keyId: q.key_id } : {}),
      ...(q.model !== undefined ? { model: q.model } : {}),
      ...(q.provider !== undefined ? { provider: q.provider } : {}),
      ...(q.kind !== undefined ? { kind: q.kind } : {}),
      ...(q.request_id !== undefined ? { requestId: q.request_id } : {}),
      ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
      ...(q.until !== undefined ? { until: q.until } : {}),
    });
    return c.json({ data: page.items, next_cursor: page.nextCursor || null });
  });

  if (deps.mcpClients) mountMcpClientRoutes(api, deps.mcpClients, jsonBody);

  limitsAdminRoutes(api, { limitsAdmin: deps.limitsAdmin, counters: deps.counters, jsonBody });
  return api;
}
