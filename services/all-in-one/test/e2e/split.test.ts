import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { stringify } from 'yaml';
import OpenAI from 'openai';
import { NatsBus } from '@switchyard/bus';
import { dropSchema, freePort, startMockProvider, startProcess, testEnv, testIds, type MockProvider, type StartedProcess } from '@switchyard/testing';
import { ADMIN, admin, providersSection, until } from './helpers.js';

// Every service in its own process, as in its pod, against the real Postgres and NATS:
// two edge replicas, governance, telemetry and llm-proxy.
const root = resolve(import.meta.dirname, '../../../..');
const env = testEnv();
const ids = testIds('split');
const procs = new Map<string, StartedProcess>();
let mock: MockProvider;
let backup: MockProvider;
let configPath: string;
let ports: Record<string, number>;
let edges: string[];

function serviceEnv(extra: Record<string, string>): Record<string, string> {
  return { SWITCHYARD_CONFIG: configPath, DATABASE_URL: env.databaseUrl, NATS_URL: env.natsUrl, LOG_LEVEL: 'warn', SWITCHYARD_ADMIN_TOKEN: ADMIN, ...extra };
}

async function start(name: string, service: string, extra: Record<string, string>, readyUrl: string): Promise<StartedProcess> {
  const proc = await startProcess({ command: process.execPath, args: [join(root, 'services', service, 'dist', 'main.js')], env: serviceEnv(extra), readyUrl, timeoutMs: 30_000 });
  procs.set(name, proc);
  return proc;
}

const startTelemetry = (): Promise<StartedProcess> =>
  start('telemetry', 'telemetry', { SWITCHYARD_TELEMETRY_GRPC_PORT: String(ports.telGrpc), SWITCHYARD_TELEMETRY_OPS_PORT: String(ports.telOps) }, `http://127.0.0.1:${ports.telOps}/readyz`);

beforeAll(async () => {
  mock = await startMockProvider();
  backup = await startMockProvider();
  ports = {};
  for (const p of ['govGrpc', 'govOps', 'telGrpc', 'telOps', 'llmGrpc', 'llmOps', 'edgeA', 'edgeB']) ports[p] = await freePort();
  const backends = { database_schema: ids.schema, subject_prefix: ids.subjectPrefix };
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-split-'));
  configPath = join(dir, 'switchyard.yaml');
  writeFileSync(configPath, stringify({
    llm_proxy: providersSection(mock, backup),
    governance: { backends },
    telemetry: { backends, batch: { max_size: 100, max_wait_ms: 100 } },
    edge: { auth: 'required', backends: { subject_prefix: ids.subjectPrefix } },
  }));
  await Promise.all([
    start('governance', 'governance', { SWITCHYARD_GOVERNANCE_GRPC_PORT: String(ports.govGrpc), SWITCHYARD_GOVERNANCE_OPS_PORT: String(ports.govOps) }, `http://127.0.0.1:${ports.govOps}/readyz`),
    startTelemetry(),
    start('llm-proxy', 'llm-proxy', { SWITCHYARD_LLM_PROXY_GRPC_PORT: String(ports.llmGrpc), SWITCHYARD_LLM_PROXY_OPS_PORT: String(ports.llmOps) }, `http://127.0.0.1:${ports.llmOps}/readyz`),
  ]);
  const edgeEnv = (port: number): Record<string, string> => ({
    SWITCHYARD_EDGE_PORT: String(port),
    SWITCHYARD_EDGE_GRPC_PORT: '-1',
    SWITCHYARD_EDGE_LLM_PROXY_ADDR: `127.0.0.1:${ports.llmGrpc}`,
    SWITCHYARD_EDGE_GOVERNANCE_ADDR: `127.0.0.1:${ports.govGrpc}`,
    SWITCHYARD_EDGE_TELEMETRY_ADDR: `127.0.0.1:${ports.telGrpc}`,
  });
  await Promise.all([
    start('edgeA', 'edge', edgeEnv(ports.edgeA!), `http://127.0.0.1:${ports.edgeA}/readyz`),
    start('edgeB', 'edge', edgeEnv(ports.edgeB!), `http://127.0.0.1:${ports.edgeB}/readyz`),
  ]);
  edges = [`http://127.0.0.1:${ports.edgeA}`, `http://127.0.0.1:${ports.edgeB}`];
}, 120_000);

afterAll(async () => {
  await Promise.all([...procs.values()].map((p) => p.stop()));
  await mock?.close();
  await backup?.close();
  await dropSchema(env.databaseUrl, ids.schema);
  const bus = await NatsBus.connect({ url: env.natsUrl, prefix: ids.subjectPrefix });
  await bus.deleteStream('AUDIT');
  await bus[Symbol.asyncDispose]();
});

let secret = '';
let keyId = '';

describe('split services: two edges, governance, telemetry, llm-proxy as processes', () => {
  it('requires a key, then serves chat and streams on both edges', async () => {
    for (const base of edges) {
      const anon = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-sy-unknown', maxRetries: 0 });
      await expect(anon.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 });
    }
    const created = await admin(edges[0]!, 'POST', '/api/keys', { name: 'split' });
    expect(created.status).toBe(201);
    secret = created.json.key as string;
    keyId = created.json.id as string;
    for (const base of edges) {
      const c = new OpenAI({ baseURL: `${base}/v1`, apiKey: secret, maxRetries: 0 });
      const res = await c.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `via ${base}` }] });
      expect(res.choices[0]?.message.content).toBe(`Mock reply to: via ${base}`);
      const stream = await c.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'stream' }], stream: true, stream_options: { include_usage: true } });
      let text = '';
      let tokens = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) tokens = chunk.usage.total_tokens;
      }
      expect(text).toBe('Mock reply to: stream');
      expect(tokens).toBeGreaterThan(0);
    }
  });

  it('keeps every audit event when telemetry restarts mid-run', async () => {
    const sent: string[] = [];
    const clients = edges.map((base) => new OpenAI({ baseURL: `${base}/v1`, apiKey: secret, maxRetries: 0 }));
    const send = async (i: number): Promise<void> => {
      const requestId = randomUUID();
      sent.push(requestId);
      await clients[i % 2]!.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `n${i}` }] }, { headers: { 'x-request-id': requestId } });
    };
    for (let i = 0; i < 20; i++) await send(i);
    await procs.get('telemetry')!.stop();
    for (let i = 20; i < 40; i++) await send(i);
    await startTelemetry();
    for (let i = 40; i < 60; i++) await send(i);

    const db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const rows = await until(async () => {
        const r = await db.query<{ request_id: string; n: string }>(`select request_id, count(*) as n from "${ids.schema}".audit_events where request_id = any($1) group by request_id`, [sent]);
        return r.rows.length === sent.length ? r.rows : undefined;
      }, 15_000, 200);
      expect(rows).toHaveLength(60);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
      const one = await db.query(`select key_id, model, provider, status, prompt_tokens, completion_tokens from "${ids.schema}".audit_events where request_id = $1`, [sent[30]]);
      expect(one.rows[0]).toMatchObject({ key_id: keyId, model: 'openai/gpt-4o-mini', provider: 'openai', status: 200 });
      expect(Number(one.rows[0].completion_tokens)).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
  });

  it('revokes a key on every edge within one second', async () => {
    const clients = edges.map((base) => new OpenAI({ baseURL: `${base}/v1`, apiKey: secret, maxRetries: 0 }));
    for (const c of clients) await c.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'warm the cache' }] });
    const t0 = Date.now();
    expect((await admin(edges[0]!, 'PATCH', `/api/keys/${keyId}`, { enabled: false })).status).toBe(200);
    const revokedAfter = await Promise.all(clients.map((c) => until(async () => {
      const status = await c.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).then(() => 200, (e: { status?: number }) => e.status ?? 0);
      return status === 401 ? Date.now() - t0 : undefined;
    }, 1_000, 20)));
    expect(Math.max(...revokedAfter)).toBeLessThan(1_000);
  });
});
