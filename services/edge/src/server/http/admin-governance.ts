import { Hono } from 'hono';
import type { CustomerAdmin, CustomerView, TeamAdmin, TeamView, ToolGroupAdmin, ToolGroupView } from '../../domain/governance-views.js';
import { iso, jsonBody, type AdminEnv } from './admin-common.js';
import {
  attachmentBody, attachmentKind, createCustomerBody, createTeamBody, createToolGroupBody, pageQuery, teamsQuery, updateCustomerBody,
  updateTeamBody, updateToolGroupBody,
} from './admin-governance-schemas.js';
import { parseWith } from './validation.js';

export interface GovernanceAdminDeps {
  customers: CustomerAdmin;
  teams: TeamAdmin;
  toolGroups: ToolGroupAdmin;
}

export function customerJson(c: CustomerView): Record<string, unknown> {
  return { id: c.id, name: c.name, tool_groups: c.toolGroups, created_at: iso(c.createdAt), updated_at: iso(c.updatedAt) };
}

export function teamJson(t: TeamView): Record<string, unknown> {
  return { id: t.id, name: t.name, customer_id: t.customerId, tool_groups: t.toolGroups, created_at: iso(t.createdAt), updated_at: iso(t.updatedAt) };
}

export function toolGroupJson(g: ToolGroupView): Record<string, unknown> {
  return {
    id: g.id, slug: g.slug, name: g.name, description: g.description, enabled: g.enabled,
    tools: g.tools.map((e) => ({ client: e.client, tools: e.tools })),
    attachments: g.attachments.map((a) => ({ entity_kind: a.entityKind, entity_id: a.entityId })),
    created_at: iso(g.createdAt), updated_at: iso(g.updatedAt),
  };
}

/**
 * `/api/customers`, `/api/teams`, `/api/tool-groups` (and their attachments): governance
 * administration with the same validation and error envelope as `/api/keys`.
 */
export function governanceRoutes(deps: GovernanceAdminDeps): Hono<AdminEnv> {
  const api = new Hono<AdminEnv>();

  api.post('/customers', async (c) => c.json(customerJson(await deps.customers.create(parseWith(createCustomerBody, await jsonBody(c)).name)), 201));
  api.get('/customers', async (c) => {
    const q = parseWith(pageQuery, c.req.query());
    const page = await deps.customers.list(q.limit, q.cursor);
    return c.json({ data: page.items.map(customerJson), next_cursor: page.nextCursor || null });
  });
  api.get('/customers/:id', async (c) => c.json(customerJson(await deps.customers.get(c.req.param('id')))));
  api.patch('/customers/:id', async (c) => {
    const body = parseWith(updateCustomerBody, await jsonBody(c));
    return c.json(customerJson(await deps.customers.update(c.req.param('id'), body.name !== undefined ? { name: body.name } : {})));
  });
  api.delete('/customers/:id', async (c) => {
    await deps.customers.remove(c.req.param('id'));
    return c.body(null, 204);
  });

  api.post('/teams', async (c) => {
    const body = parseWith(createTeamBody, await jsonBody(c));
    return c.json(teamJson(await deps.teams.create({ name: body.name, customerId: body.customer_id ?? null })), 201);
  });
  api.get('/teams', async (c) => {
    const q = parseWith(teamsQuery, c.req.query());
    const page = await deps.teams.list(q.limit, q.cursor, q.customer_id);
    return c.json({ data: page.items.map(teamJson), next_cursor: page.nextCursor || null });
  });
  api.get('/teams/:id', async (c) => c.json(teamJson(await deps.teams.get(c.req.param('id')))));
  api.patch('/teams/:id', async (c) => {
    const body = parseWith(updateTeamBody, await jsonBody(c));
    return c.json(teamJson(await deps.teams.update(c.req.param('id'), {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.customer_id !== undefined ? { customerId: body.customer_id } : {}),
    })));
  });
  api.delete('/teams/:id', async (c) => {
    await deps.teams.remove(c.req.param('id'));
    return c.body(null, 204);
  });

  api.post('/tool-groups', async (c) => {
    const body = parseWith(createToolGroupBody, await jsonBody(c));
    const group = await deps.toolGroups.create({ name: body.name, slug: body.slug, description: body.description, enabled: body.enabled, tools: body.tools });
    return c.json(toolGroupJson(group), 201);
  });
  api.get('/tool-groups', async (c) => {
    const q = parseWith(pageQuery, c.req.query());
    const page = await deps.toolGroups.list(q.limit, q.cursor);
    return c.json({ data: page.items.map(toolGroupJson), next_cursor: page.nextCursor || null });
  });
  api.get('/tool-groups/:id', async (c) => c.json(toolGroupJson(await deps.toolGroups.get(c.req.param('id')))));
  api.patch('/tool-groups/:id', async (c) => {
    const body = parseWith(updateToolGroupBody, await jsonBody(c));
    return c.json(toolGroupJson(await deps.toolGroups.update(c.req.param('id'), {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      ...(body.tools !== undefined ? { tools: body.tools } : {}),
    })));
  });
  api.delete('/tool-groups/:id', async (c) => {
    await deps.toolGroups.remove(c.req.param('id'));
    return c.body(null, 204);
  });
  api.post('/tool-groups/:id/attachments', async (c) => {
    const body = parseWith(attachmentBody, await jsonBody(c));
    return c.json(toolGroupJson(await deps.toolGroups.attach(c.req.param('id'), { entityKind: body.entity_kind, entityId: body.entity_id })));
  });
  api.delete('/tool-groups/:id/attachments/:kind/:entity', async (c) => {
    const kind = parseWith(attachmentKind, c.req.param('kind'));
    return c.json(toolGroupJson(await deps.toolGroups.detach(c.req.param('id'), { entityKind: kind, entityId: c.req.param('entity') })));
  });

  return api;
}
