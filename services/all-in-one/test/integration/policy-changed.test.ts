import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp as createEdge, loadEdgeConfig, type EdgeApp } from '@switchyard/edge';
import { createApp as createGovernance, loadGovernanceConfig, type GovernanceApp } from '@switchyard/governance';
import { createClient, edge, type GrpcClient } from '@switchyard/proto';
import { dropSchema, freePort, testEnv, testIds, waitFor } from '@switchyard/testing';

const env = testEnv();
const ids = testIds('polchg');
const ADMIN = 'policy-changed-admin';

// The real governance (Postgres) and the real edge, meeting only over gRPC and NATS:
// team, customer and tool-group changes reach the edge within a second and flush its
// policy cache; key changes drop one entry; the provider allow-list applies at once.
describe('PolicyChanged from governance reaches the edge', () => {
  let gov: GovernanceApp;
  let edgeApp: EdgeApp;
  let base: string;
  let edgeAdmin: GrpcClient<typeof edge.EdgeAdminService>;

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const chat = async (key: string, model: string): Promise<{ status: number; code: unknown }> => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const json = (await res.json()) as { error?: { code?: unknown } };
    return { status: res.status, code: json.error?.code };
  };
  const entries = async (): Promise<number> => Number((await edgeAdmin.client.getPolicyCacheStats({})).entries);

  beforeAll(async () => {
    gov = createGovernance(loadGovernanceConfig({
      env: {},
      overrides: {
        grpc: { port: 0 }, ops: { port: -1 },
        backends: { database_url: env.databaseUrl, nats_url: env.natsUrl, subject_prefix: ids.subjectPrefix, database_schema: ids.schema },
        observability: { log_level: 'silent' },
      },
    }));
    const { grpcPort } = await gov.start();
    // No llm-proxy: chats refused by policy never reach it; the others fail with 503.
    const nowhere = `127.0.0.1:${await freePort()}`;
    edgeApp = createEdge(loadEdgeConfig({
      env: {},
      overrides: {
        port: 0, grpc: { port: 0 }, admin_token: ADMIN, auth: 'required',
        governance_addr: `127.0.0.1:${grpcPort}`, llm_proxy_addr: nowhere, telemetry_addr: nowhere,
        mcp: { enabled: false },
        backends: { nats_url: env.natsUrl, subject_prefix: ids.subjectPrefix },
        observability: { log_level: 'silent' },
      },
    }));
    const started = await edgeApp.start();
    base = `http://127.0.0.1:${started.port}`;
    edgeAdmin = createClient(edge.EdgeAdminService, `127.0.0.1:${started.grpcPort}`);
    await edgeAdmin.waitForReady(5000);
  }, 60_000);

  afterAll(async () => {
    edgeAdmin?.close();
    await edgeApp?.[Symbol.asyncDispose]();
    await gov?.[Symbol.asyncDispose]();
    await dropSchema(env.databaseUrl, ids.schema);
  });

  it('applies key, team, customer and tool-group changes on the edge within one second', async () => {
    const customer = (await api('POST', '/api/customers', { name: 'Acme' })).json;
    const team = (await api('POST', '/api/teams', { name: 'Core', customer_id: customer.id })).json;
    expect(team.customer_id).toBe(customer.id);
    const created = await api('POST', '/api/keys', { name: 'k', team_id: team.id, allowed_providers: ['openai'] });
    expect(created.status).toBe(201);
    const key = created.json.key as string;

    // The provider allow-list is enforced before llm-proxy is called.
    expect(await chat(key, 'anthropic/claude-sonnet-4-5')).toEqual({ status: 403, code: 'provider_not_allowed' });
    expect(await entries()).toBe(1);

    // A key change drops its entry: the next chat sees the new provider list at once.
    expect((await api('PATCH', `/api/keys/${created.json.id as string}`, { allowed_providers: ['anthropic'] })).status).toBe(200);
    await waitFor(async () => (await entries()) === 0, { timeoutMs: 1000, intervalMs: 10 });
    expect((await chat(key, 'anthropic/claude-sonnet-4-5')).code).not.toBe('provider_not_allowed');
    expect(await chat(key, 'openai/gpt-4o-mini')).toEqual({ status: 403, code: 'provider_not_allowed' });

    // Team, customer and group changes flush the whole cache on the edge.
    const flushedBy = async (change: () => Promise<{ status: number }>): Promise<void> => {
      await chat(key, 'openai/gpt-4o-mini');
      expect(await entries()).toBe(1);
      expect((await change()).status).toBeLessThan(300);
      await waitFor(async () => (await entries()) === 0, { timeoutMs: 1000, intervalMs: 10 });
    };
    await flushedBy(() => api('PATCH', `/api/teams/${team.id as string}`, { name: 'Core 2' }));
    await flushedBy(() => api('PATCH', `/api/customers/${customer.id as string}`, { name: 'Acme 2' }));
    const group = (await api('POST', '/api/tool-groups', { name: 'Readers', tools: [{ client: 'filesystem', tools: ['read_file'] }] })).json;
    await flushedBy(() => api('POST', `/api/tool-groups/${group.slug as string}/attachments`, { entity_kind: 'customer', entity_id: customer.id }));
    await flushedBy(() => api('PATCH', `/api/tool-groups/${group.id as string}`, { enabled: false }));
  });

  it('validates the new admin routes with the same envelope as /api/keys', async () => {
    const both = await api('POST', '/api/keys', { name: 'x', team_id: 'tm_a', customer_id: 'cu_b' });
    expect(both.status).toBe(400);
    expect(both.json.error).toMatchObject({ param: 'team_id', type: 'invalid_request_error' });
    const unknownTeam = await api('POST', '/api/keys', { name: 'x', team_id: 'tm_nope' });
    expect(unknownTeam.status).toBe(400);
    expect(unknownTeam.json.error).toMatchObject({ code: 'team_not_found', param: 'team_id' });
    const typo = await api('POST', '/api/tool-groups', { name: 'g', tools: [], enabeld: true });
    expect(typo.json.error).toMatchObject({ message: "unknown field: 'enabeld'" });
    const badKind = await api('POST', '/api/tool-groups/whatever/attachments', { entity_kind: 'org', entity_id: 'x' });
    expect(badKind.json.error).toMatchObject({ param: 'entity_kind' });
    const missing = await api('GET', '/api/tool-groups/no-such-group');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'tool_group_not_found' });
    const team = (await api('POST', '/api/teams', { name: 'busy' })).json;
    await api('POST', '/api/keys', { name: 'member', team_id: team.id });
    const busy = await api('DELETE', `/api/teams/${team.id as string}`);
    expect(busy.status).toBe(409);
    expect(busy.json.error).toMatchObject({ code: 'team_in_use' });
  });
});
