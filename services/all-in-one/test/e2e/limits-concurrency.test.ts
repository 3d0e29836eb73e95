import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import OpenAI from 'openai';
import { NatsBus } from '@switchyard/bus';
import { dropSchema, freePort, startMockProvider, startProcess, testEnv, testIds, type MockProvider, type StartedProcess } from '@switchyard/testing';
import { ADMIN, admin, providersSection, until } from './helpers.js';

// Two edge processes sharing one Redis, Postgres and NATS (with governance, telemetry and
// llm-proxy in their own processes): budgets and rate limits hold across replicas.
const root = resolve(import.meta.dirname, '../../../..');
const env = testEnv();
const ids = testIds('limits_e2e');
const procs: StartedProcess[] = [];
let mock: MockProvider;
let backup: MockProvider;
let edges: string[];
const MODEL = 'openai/gpt-4o-mini';
// Prompt tokens are free and output tokens cost 1000 micro-USD each, so a request with
// max_tokens equal to its (deterministic) completion tokens reserves exactly what it costs.
const PRICES = { [MODEL]: { input: 0, output: 1000 } };

beforeAll(async () => {
  mock = await startMockProvider();
  backup = await startMockProvider();
  const ports: Record<string, number> = {};
  for (const p of ['govGrpc', 'govOps', 'telGrpc', 'telOps', 'llmGrpc', 'llmOps', 'edgeA', 'edgeB']) ports[p] = await freePort();
  const backends = { database_schema: ids.schema, subject_prefix: ids.subjectPrefix };
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-limits-'));
  const configPath = join(dir, 'switchyard.yaml');
  writeFileSync(configPath, stringify({
    llm_proxy: providersSection(mock, backup),
    governance: { backends },
    telemetry: { backends },
    edge: { auth: 'required', backends: { subject_prefix: ids.subjectPrefix }, limits: { redis_key_prefix: ids.redisPrefix }, pricing: { models: PRICES } },
  }));
  const baseEnv = { SWITCHYARD_CONFIG: configPath, DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl, LOG_LEVEL: 'warn', SWITCHYARD_ADMIN_TOKEN: ADMIN };
  const start = async (service: string, extra: Record<string, string>, readyUrl: string): Promise<void> => {
    procs.push(await startProcess({ command: process.execPath, args: [join(root, 'services', service, 'dist', 'main.js')], env: { ...baseEnv, ...extra }, readyUrl, timeoutMs: 30_000 }));
  };
  await Promise.all([
    start('governance', { SWITCHYARD_GOVERNANCE_GRPC_PORT: String(ports.govGrpc), SWITCHYARD_GOVERNANCE_OPS_PORT: String(ports.govOps) }, `http://127.0.0.1:${ports.govOps}/readyz`),
    start('telemetry', { SWITCHYARD_TELEMETRY_GRPC_PORT: String(ports.telGrpc), SWITCHYARD_TELEMETRY_OPS_PORT: String(ports.telOps) }, `http://127.0.0.1:${ports.telOps}/readyz`),
    start('llm-proxy', { SWITCHYARD_LLM_PROXY_GRPC_PORT: String(ports.llmGrpc), SWITCHYARD_LLM_PROXY_OPS_PORT: String(ports.llmOps) }, `http://127.0.0.1:${ports.llmOps}/readyz`),
  ]);
  const edgeEnv = (port: number): Record<string, string> => ({
    SWITCHYARD_EDGE_PORT: String(port), SWITCHYARD_EDGE_GRPC_PORT: '-1',
    SWITCHYARD_EDGE_LLM_PROXY_ADDR: `127.0.0.1:${ports.llmGrpc}`, SWITCHYARD_EDGE_GOVERNANCE_ADDR: `127.0.0.1:${ports.govGrpc}`, SWITCHYARD_EDGE_TELEMETRY_ADDR: `127.0.0.1:${ports.telGrpc}`,
    SWITCHYARD_EDGE_MCP_ENABLED: 'false',
  });
  await Promise.all([
    start('edge', edgeEnv(ports.edgeA!), `http://127.0.0.1:${ports.edgeA}/readyz`),
    start('edge', edgeEnv(ports.edgeB!), `http://127.0.0.1:${ports.edgeB}/readyz`),
  ]);
  edges = [`http://127.0.0.1:${ports.edgeA}`, `http://127.0.0.1:${ports.edgeB}`];
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await mock?.close();
  await backup?.close();
  await dropSchema(env.databaseUrl, ids.schema);
  const bus = await NatsBus.connect({ url: env.natsUrl, prefix: ids.subjectPrefix });
  for (const stream of ['AUDIT', 'USAGE']) await bus.deleteStream(stream).catch(() => undefined);
  await bus[Symbol.asyncDispose]();
  const redis = new Redis(env.redisUrl);
  const keys = await redis.keys(`${ids.redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

type Outcome = { status: number; code: string | undefined; retryAfter: string | null };

async function fire(base: string, secret: string, body: object): Promise<Outcome> {
  const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: json.error?.code, retryAfter: res.headers.get('retry-after') };
}

async function newKey(name: string): Promise<{ id: string; secret: string }> {
  const created = await admin(edges[0]!, 'POST', '/api/keys', { name });
  expect(created.status).toBe(201);
  return { id: created.json.id as string, secret: created.json.key as string };
}

describe('budgets and rate limits across two edge processes', () => {
  it('200 concurrent requests against a budget covering 50: never over, every refusal budget_exceeded, nothing unaccounted', async () => {
    const message = { role: 'user', content: 'spend' };
    // The mock's usage is deterministic: measure one request's completion tokens with a key that has no budget.
    const probe = await newKey('probe');
    const sample = await new OpenAI({ baseURL: `${edges[0]}/v1`, apiKey: probe.secret, maxRetries: 0 }).chat.completions.create({ model: MODEL, messages: [message] });
    const completionTokens = sample.usage!.completion_tokens;
    const cost = completionTokens * 1000;
    const key = await newKey('budgeted');
    const budget = await admin(edges[1]!, 'POST', '/api/budgets', { entity_kind: 'key', entity_id: key.id, max_limit: (50 * cost) / 1e6, reset_duration: '1d' });
    expect(budget.status).toBe(201);

    const body = { model: MODEL, messages: [message], max_tokens: completionTokens };
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => fire(edges[i % 2]!, key.secret, body)));
    const served = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status !== 200);
    expect(refused.every((r) => r.status === 429 && r.code === 'budget_exceeded')).toBe(true);
    expect(served).toBe(50);

    // Redis holds what was charged, and it never exceeds the budget.
    const live = await until(async () => {
      const r = await admin(edges[0]!, 'GET', `/api/budgets?entity_kind=key&entity_id=${key.id}`);
      const view = (r.json.data as { current_usage: number; remaining: number }[])[0]!;
      return Math.round(view.current_usage * 1e6) === served * cost ? view : undefined;
    }, 5_000);
    expect(live.remaining).toBe(0);
    // The ledger in Postgres (written asynchronously from the USAGE stream) agrees: served × cost == charged.
    const db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const ledger = await until(async () => {
        const r = await db.query<{ n: string; cost: string }>(`select count(*) as n, coalesce(sum(cost_micros), 0) as cost from "${ids.schema}".usage_events where key_id = $1`, [key.id]);
        return Number(r.rows[0]!.n) === served ? r.rows[0]! : undefined;
      }, 15_000, 100);
      expect(Number(ledger.cost)).toBe(served * cost);
      const spend = await db.query<{ spent: string }>(`select sum(spent_micros) as spent from "${ids.schema}".budget_spend where budget_id = $1`, [budget.json.id]);
      expect(Number(spend.rows[0]!.spent)).toBe(served * cost);
    } finally {
      await db.end();
    }
    const usage = await admin(edges[1]!, 'GET', `/api/usage?entity_kind=key&entity_id=${key.id}`);
    expect(usage.json.data).toEqual([{ entity_kind: 'key', entity_id: key.id, kind: 'model', name: MODEL, requests: 50, prompt_tokens: expect.any(Number), completion_tokens: 50 * completionTokens, cost: (50 * cost) / 1e6 }]);
  });

  it('200 concurrent requests against a rate limit of 20 per hour: at most 20 admitted per window, the rest rate_limited with retry-after', async () => {
    const key = await newKey('rate-limited');
    const rl = await admin(edges[0]!, 'POST', '/api/rate-limits', { entity_kind: 'key', entity_id: key.id, unit: 'requests', max_limit: 20, reset_duration: '1h' });
    expect(rl.status).toBe(201);
    const hourOf = (t: number): number => Math.floor(t / 3_600_000);
    const startHour = hourOf(Date.now());
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => fire(edges[i % 2]!, key.secret, { model: MODEL, messages: [{ role: 'user', content: `r${i}` }] })));
    const windows = hourOf(Date.now()) - startHour + 1;
    const admitted = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status !== 200);
    expect(admitted).toBeLessThanOrEqual(20 * windows);
    expect(admitted).toBeGreaterThanOrEqual(20);
    expect(limited.every((r) => r.status === 429 && r.code === 'rate_limited' && Number(r.retryAfter) > 0 && Number(r.retryAfter) <= 3600)).toBe(true);
  });
});
