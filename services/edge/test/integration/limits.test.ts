import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { freePort, testEnv, testIds } from '@switchyard/testing';
import { ADMIN_TOKEN, call, chat, startHarness, waitFor, type Harness } from './harness.js';

const env = testEnv();
const ids = testIds('edge_limits');
const PRICES = { 'openai/gpt-4o-mini': { input: 1, output: 2 } };
// The fake llm-proxy reports 11 prompt + 7 completion tokens: 11×1 + 7×2 = 25 micro-USD per call.
const COST = 25;

let h: Harness;
let redis: Redis;

beforeAll(async () => {
  h = await startHarness({ overrides: { auth: 'required', backends: { redis_url: env.redisUrl }, limits: { redis_key_prefix: ids.redisPrefix }, pricing: { models: PRICES } } });
  redis = new Redis(env.redisUrl);
});

afterAll(async () => {
  await h?.close();
  const keys = await redis.keys(`${ids.redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const admin = (path: string, init: RequestInit = {}) =>
  call(`${h.url}/api${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
const post = (path: string, body: unknown) => admin(path, { method: 'POST', body: JSON.stringify(body) });
const ask = (secret: string, extra: Record<string, unknown> = {}) =>
  chat(h.url, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10, ...extra }, { authorization: `Bearer ${secret}` });

describe('budgets and rate limits at the edge (Redis counters)', () => {
  it('charges the actual cost, refuses with budget_exceeded once the estimate no longer fits, and shows usage', async () => {
    const key = h.fakes.governance.addKey({ name: 'budgeted' });
    const created = await post('/budgets', { entity_kind: 'key', entity_id: key.id, max_limit: 0.0001, reset_duration: '1d' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ entity_kind: 'key', entity_id: key.id, max_limit: 0.0001, reset_duration: '1d', current_usage: 0, remaining: 0.0001 });
    // 100 micro-USD; each call reserves 43 (23 prompt tokens × 1 + 10 output × 2) and settles at 25: 25+25+25+43 > 100.
    for (let i = 0; i < 3; i++) expect((await ask(key.secret)).status).toBe(200);
    const streamed = await ask(key.secret, { stream: true, stream_options: { include_usage: true } });
    expect(streamed.status).toBe(429);
    expect(streamed.json.error).toMatchObject({ type: 'rate_limit_error', code: 'budget_exceeded' });
    expect(streamed.json.error?.message).toMatch(/^budget exceeded: the key budget bud_.* \(0\.0001 USD per day\) is used up until \d{4}-/);
    const list = await admin(`/budgets?entity_kind=key&entity_id=${key.id}`);
    const [view] = (list.json as unknown as { data: { current_usage: number; remaining: number; resets_at: string }[] }).data;
    await waitFor(async () => ((await admin(`/budgets?entity_kind=key&entity_id=${key.id}`)).json as unknown as { data: { current_usage: number }[] }).data[0]!.current_usage === 3 * COST / 1e6);
    expect(view!.resets_at).toBe(new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000).toISOString());
  });

  it('settles streams on their usage', async () => {
    const key = h.fakes.governance.addKey({ name: 'streaming' });
    await post('/budgets', { entity_kind: 'key', entity_id: key.id, max_limit: 1, reset_duration: '1h' });
    const r = await ask(key.secret, { stream: true, stream_options: { include_usage: true } });
    expect(r.status).toBe(200);
    await waitFor(async () => ((await admin(`/budgets?entity_kind=key&entity_id=${key.id}`)).json as unknown as { data: { current_usage: number }[] }).data[0]!.current_usage === COST / 1e6);
  });

  it('refuses past a request rate limit with rate_limited and retry-after, counted across keys of nothing else', async () => {
    const key = h.fakes.governance.addKey({ name: 'rate-limited' });
    const other = h.fakes.governance.addKey({ name: 'unlimited' });
    const rl = await post('/rate-limits', { entity_kind: 'key', entity_id: key.id, unit: 'requests', max_limit: 2, reset_duration: '1h' });
    expect(rl.status).toBe(201);
    expect(rl.json).toMatchObject({ unit: 'requests', max_limit: 2, reset_duration: '1h', current_usage: 0, remaining: 2 });
    expect((await ask(key.secret)).status).toBe(200);
    expect((await ask(key.secret)).status).toBe(200);
    const third = await ask(key.secret);
    expect(third.status).toBe(429);
    expect(third.json.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
    const retryAfter = Number(third.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect((await ask(other.secret)).status).toBe(200);
    const listed = await admin(`/rate-limits?entity_kind=key&entity_id=${key.id}`);
    expect((listed.json as unknown as { data: { current_usage: number; remaining: number }[] }).data[0]).toMatchObject({ current_usage: 2, remaining: 0 });
  });

  it('token rate limits count the estimate, then the actual tokens', async () => {
    const key = h.fakes.governance.addKey({ name: 'tokens' });
    const rl = await post('/rate-limits', { entity_kind: 'key', entity_id: key.id, unit: 'tokens', max_limit: 60, reset_duration: '1h' });
    const used = async () => ((await admin(`/rate-limits?entity_kind=key&entity_id=${key.id}`)).json as unknown as { data: { current_usage: number }[] }).data[0]!.current_usage;
    // Each call reserves 33 tokens (90 body bytes / 4, rounded up, + max_tokens 10) and settles at 18.
    expect((await ask(key.secret)).status).toBe(200);
    await waitFor(async () => (await used()) === 18);
    expect((await ask(key.secret)).status).toBe(200); // 18 + 33 <= 60
    await waitFor(async () => (await used()) === 36);
    const third = await ask(key.secret); // 36 + 33 > 60
    expect(third.json.error?.code).toBe('rate_limited');
    expect(third.json.error?.message).toContain(`60 tokens per hour on key ${key.id}`);
    expect(rl.status).toBe(201);
  });

  it('validates the admin API with the OpenAI envelope', async () => {
    const cases: [string, unknown, string][] = [
      ['/budgets', { entity_kind: 'key', entity_id: 'x', max_limit: 1, reset_duration: '2d' }, 'reset_duration'],
      ['/budgets', { entity_kind: 'user', entity_id: 'x', max_limit: 1, reset_duration: '1d' }, 'entity_kind'],
      ['/budgets', { entity_kind: 'key', entity_id: 'x', max_limit: -1, reset_duration: '1d' }, 'max_limit'],
      ['/budgets', { entity_kind: 'key', entity_id: 'x', max_limit: 1, reset_duration: '1d', extra: 1 }, 'extra'],
      ['/rate-limits', { entity_kind: 'key', entity_id: 'x', unit: 'bytes', max_limit: 1, reset_duration: '1d' }, 'unit'],
      ['/rate-limits', { entity_kind: 'key', entity_id: 'x', unit: 'requests', max_limit: 1.5, reset_duration: '1d' }, 'max_limit'],
    ];
    for (const [path, body, param] of cases) {
      const r = await post(path, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error).toMatchObject({ type: 'invalid_request_error', param });
    }
    expect((await admin('/budgets/bud_x', { method: 'PATCH', body: '{}' })).status).toBe(400);
    expect((await admin('/usage?entity_id=x')).json.error?.param).toBe('entity_kind');
    expect((await admin('/usage?since=yesterday')).json.error?.param).toBe('since');
    expect((await call(`${h.url}/api/budgets`)).status).toBe(401);
  });

  it('updates and deletes budgets; the key sees the change at once', async () => {
    const key = h.fakes.governance.addKey({ name: 'changing' });
    const b = await post('/budgets', { entity_kind: 'key', entity_id: key.id, max_limit: 0, reset_duration: '1d' });
    expect((await ask(key.secret)).json.error?.code).toBe('budget_exceeded');
    const patched = await admin(`/budgets/${String(b.json.id)}`, { method: 'PATCH', body: JSON.stringify({ max_limit: 5 }) });
    expect(patched.json).toMatchObject({ max_limit: 5, reset_duration: '1d' });
    await waitFor(async () => (await ask(key.secret)).status === 200);
    expect((await admin(`/budgets/${String(b.json.id)}`, { method: 'DELETE' })).status).toBe(204);
    expect((await admin(`/budgets/${String(b.json.id)}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('/api/usage passes the entity and time range to governance and shows remaining budget', async () => {
    const key = h.fakes.governance.addKey({ name: 'usage' });
    await post('/budgets', { entity_kind: 'key', entity_id: key.id, max_limit: 2, reset_duration: '1M' });
    h.fakes.governance.usageRows.push({ $typeName: 'switchyard.governance.v1.UsageRow', entityKind: 'key', entityId: key.id, kind: 'tool', name: 'fs-read_file', requests: 3n, promptTokens: 0n, completionTokens: 0n, costMicros: 1_500_000n });
    const r = await admin(`/usage?entity_kind=key&entity_id=${key.id}&since=2026-01-01T00:00:00Z`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      data: [{ entity_kind: 'key', entity_id: key.id, kind: 'tool', name: 'fs-read_file', requests: 3, cost: 1.5 }],
      budgets: [{ max_limit: 2, reset_duration: '1M', remaining: 2 }],
    });
    expect(h.fakes.governance.lastUsageQuery?.since?.seconds).toBe(BigInt(Date.UTC(2026, 0, 1) / 1000));
  });
});

describe('Redis unreachable', () => {
  let down: Harness;
  beforeAll(async () => {
    const port = await freePort();
    down = await startHarness({ bus: 'memory', overrides: { auth: 'required', backends: { redis_url: `redis://127.0.0.1:${port}` }, limits: { redis_key_prefix: ids.redisPrefix } } });
  });
  afterAll(async () => {
    await down?.close();
  });

  it('fails closed with 503 limits_unavailable for a key with limits; a key without any is served (no Redis call)', async () => {
    const limited = down.fakes.governance.addKey({ name: 'limited' });
    down.fakes.governance.rateLimits.push({ $typeName: 'switchyard.governance.v1.RateLimit', id: 'rl_1', entityKind: 'key', entityId: limited.id, unit: 'requests', limit: 10n, period: '1m' });
    const free = down.fakes.governance.addKey({ name: 'free' });
    const r = await chat(down.url, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${limited.secret}` });
    expect(r.status).toBe(503);
    expect(r.json.error).toMatchObject({ code: 'limits_unavailable' });
    const ok = await chat(down.url, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${free.secret}` });
    expect(ok.status).toBe(200);
    const metrics = await (await fetch(`${down.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_limits_reservations_total\{[^}]*outcome="error"[^}]*\} 1\n/);
  });
});
