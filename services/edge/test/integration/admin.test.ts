import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, HELLO, call, chat, startHarness, type Harness, type Reply } from './harness.js';

let h: Harness;
let closed: Harness;
beforeAll(async () => {
  [h, closed] = await Promise.all([startHarness({ bus: 'memory' }), startHarness({ bus: 'memory', overrides: { admin_token: undefined } })]);
});
afterAll(async () => {
  await Promise.all([h?.close(), closed?.close()]);
});

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
function admin(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  return call(`${h.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...auth, 'content-type': 'application/json', ...init.headers },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
}

describe('admin auth', () => {
  it('answers 401 to everyone when no admin token is configured', async () => {
    const r = await call(`${closed.url}/api/keys`, { headers: auth });
    expect(r.status).toBe(401);
    expect(r.json.error).toMatchObject({ code: 'admin_disabled', type: 'authentication_error' });
  });

  it('rejects a missing or wrong token', async () => {
    expect((await call(`${h.url}/api/keys`)).json.error?.code).toBe('invalid_admin_token');
    const wrong = await call(`${h.url}/api/keys`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error?.code).toBe('invalid_admin_token');
  });
});

describe('keys', () => {
  it('creates a key, shows the secret once, and the secret works', async () => {
    const r = await admin('/api/keys', { method: 'POST', body: { name: 'ci', allowed_models: ['openai/*'], expires_at: '2099-01-01T00:00:00Z' } });
    expect(r.status).toBe(201);
    expect(Object.keys(r.json).sort()).toEqual([
      'allowed_models', 'allowed_providers', 'created_at', 'customer_id', 'enabled', 'expires_at', 'id', 'key', 'key_prefix', 'mcp_tools', 'name',
      'team_id', 'tool_groups', 'updated_at',
    ]);
    expect(r.json).toMatchObject({ name: 'ci', enabled: true, allowed_models: ['openai/*'], expires_at: '2099-01-01T00:00:00.000Z' });
    const secret = r.json.key as string;
    expect(secret.startsWith(r.json.key_prefix as string)).toBe(true);
    expect((await chat(h.url, HELLO, { authorization: `Bearer ${secret}` })).status).toBe(200);
    const fetched = await admin(`/api/keys/${r.json.id as string}`);
    expect(fetched.json).not.toHaveProperty('key');
  });

  it('defaults: enabled, every model, no expiry', async () => {
    const r = await admin('/api/keys', { method: 'POST', body: { name: 'defaults' } });
    expect(r.json).toMatchObject({ enabled: true, allowed_models: ['*'], expires_at: null });
  });

  const bad: [string, unknown, string, string | null][] = [
    ['unknown fields', { name: 'x', foo: 1, bar: 2 }, "unknown fields: 'foo', 'bar'", 'foo'],
    ['missing name', {}, "'name': Invalid input: expected string, received undefined", 'name'],
    ['empty name', { name: '  ' }, "'name': must be a non-empty string", 'name'],
    ['bad expiry', { name: 'x', expires_at: 'tomorrow' }, "'expires_at': expected an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z", 'expires_at'],
    ['past expiry', { name: 'x', expires_at: '2001-01-01T00:00:00Z' }, "'expires_at': must be in the future", 'expires_at'],
    ['models not array', { name: 'x', allowed_models: 'openai/*' }, "'allowed_models': Invalid input: expected array, received string", 'allowed_models'],
    ['enabled not boolean', { name: 'x', enabled: 'yes' }, "'enabled': Invalid input: expected boolean, received string", 'enabled'],
    ['malformed JSON', '{"name":', 'request body is not valid JSON', null],
  ];
  it.each(bad)('POST /api/keys with %s → 400', async (_n, body, message, param) => {
    const r = await admin('/api/keys', { method: 'POST', body });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({ message, type: 'invalid_request_error', param, code: 'invalid_argument' });
  });

  it('lists with limit and cursor', async () => {
    const r = await admin('/api/keys?limit=10&cursor=abc');
    expect(r.status).toBe(200);
    expect(Array.isArray(r.json.data)).toBe(true);
    expect(r.json.next_cursor).toBeNull();
    expect(h.fakes.governance.lastListRequest).toMatchObject({ limit: 10, cursor: 'abc' });
    expect((await admin('/api/keys')).json.next_cursor).toBe('next-page');
    const zero = await admin('/api/keys?limit=0');
    expect(zero.status).toBe(400);
    expect(zero.json.error).toMatchObject({ param: 'limit', message: "'limit': must be an integer from 1 to 500" });
    expect((await admin('/api/keys?page=2')).json.error?.message).toBe("unknown field: 'page'");
  });

  it('gets, updates and deletes', async () => {
    const created = await admin('/api/keys', { method: 'POST', body: { name: 'crud', expires_at: '2099-01-01T00:00:00Z' } });
    const id = created.json.id as string;
    expect((await admin(`/api/keys/${id}`)).json).toMatchObject({ id, name: 'crud' });

    const patched = await admin(`/api/keys/${id}`, { method: 'PATCH', body: { name: 'renamed', enabled: false, expires_at: null, allowed_models: ['a/*'] } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ name: 'renamed', enabled: false, expires_at: null, allowed_models: ['a/*'] });
    expect(h.fakes.governance.lastUpdate).toMatchObject({ clearExpiresAt: true, setAllowedModels: true, enabled: false });

    const nameOnly = await admin(`/api/keys/${id}`, { method: 'PATCH', body: { name: 'again' } });
    expect(nameOnly.json.allowed_models).toEqual(['a/*']);
    expect(h.fakes.governance.lastUpdate).toMatchObject({ clearExpiresAt: false, setAllowedModels: false, name: 'again' });
    expect(h.fakes.governance.lastUpdate?.enabled).toBeUndefined();
    expect(h.fakes.governance.lastUpdate?.expiresAt).toBeUndefined();

    const empty = await admin(`/api/keys/${id}`, { method: 'PATCH', body: {} });
    expect(empty.status).toBe(400);
    expect(empty.json.error?.message).toContain('nothing to update');
    expect((await admin(`/api/keys/${id}`, { method: 'PATCH', body: { id: 'x' } })).json.error?.message).toBe("unknown field: 'id'");

    const del = await call(`${h.url}/api/keys/${id}`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const gone = await admin(`/api/keys/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json.error).toMatchObject({ type: 'not_found_error', code: 'key_not_found' });
  });

  it('rejects oversized and non-JSON admin bodies without a 500', async () => {
    const big = await admin('/api/keys', { method: 'POST', body: { name: 'x'.repeat(100_000) } });
    expect(big.status).toBe(413);
    const text = await admin('/api/keys', { method: 'POST', body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(400);
  });
});

describe('logs', () => {
  it('maps query filters to telemetry and events to snake_case JSON', async () => {
    const r = await admin('/api/logs?key_id=k1&model=openai/gpt-4o&provider=openai&request_id=r1&outcome=error&since=2030-01-01T00:00:00Z&until=2030-02-01T00:00:00Z&limit=5&cursor=c1');
    expect(r.status).toBe(200);
    const req = h.fakes.telemetry.lastRequest!;
    expect(req).toMatchObject({ keyId: 'k1', model: 'openai/gpt-4o', provider: 'openai', requestId: 'r1', outcome: 'error', limit: 5, cursor: 'c1' });
    expect(Number(req.since?.seconds)).toBe(Date.parse('2030-01-01T00:00:00Z') / 1000);
    expect(r.json.next_cursor).toBe('cursor-2');
    expect((r.json.data as Record<string, unknown>[])[0]).toEqual({
      event_id: 'evt-1', kind: 'llm', time: '2030-01-02T03:04:05.000Z', request_id: 'req-1', parent_request_id: '', key_id: 'key-1',
      model: 'openai/gpt-4o', provider: 'openai', status: 200, error_kind: '', latency_ms: 12.5, prompt_tokens: 3, completion_tokens: 4,
      stream: true, attempts: 1, route: '/v1/chat/completions', trace_id: 'abc', request_body: null, response_body: null,
    });
  });

  it('validates filters', async () => {
    expect((await admin('/api/logs?outcome=maybe')).json.error?.param).toBe('outcome');
    expect((await admin('/api/logs?since=yesterday')).json.error?.param).toBe('since');
    expect((await admin('/api/logs?limit=1000')).status).toBe(400);
  });
});

describe('routing', () => {
  it('unknown routes get the OpenAI envelope with 404', async () => {
    const r = await call(`${h.url}/v1/nope`);
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ type: 'not_found_error', code: 'route_not_found', message: 'no route for GET /v1/nope' });
  });
});
