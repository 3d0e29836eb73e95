import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { NatsBus } from '@switchyard/bus';
import { createDb, type Database } from '@switchyard/db';
import { STREAMS, SUBJECTS } from '@switchyard/proto';
import { testEnv, testIds, waitFor, withSchema, type TestSchema } from '@switchyard/testing';
import { PgAuditStore } from '../../src/adapters/pg/pg-audit-store.js';
import type { TelemetryTables } from '../../src/adapters/pg/tables.js';
import { recordFromEvent } from '../../src/server/wire.js';
import { metricValue } from '../fixtures.js';
import { newEvent, publish, startApp, testConfig, type Started } from './harness.js';

const env = testEnv();
const ids = testIds('tel');
let schema: TestSchema;
let sqlClient: pg.Client;
let publisher: NatsBus;
let backends: Record<string, string>;
let database: Database<TelemetryTables>;
const running = new Set<Started>();

async function start(extra: Record<string, unknown> = {}): Promise<Started> {
  const started = await startApp(testConfig({ backends, ...extra }));
  running.add(started);
  return started;
}
async function stop(s: Started): Promise<void> {
  running.delete(s);
  await s[Symbol.asyncDispose]();
}
async function counts(keyId: string): Promise<{ rows: number; distinct: number }> {
  const r = await sqlClient.query<{ rows: number; distinct: number }>(
    'select count(*)::int as rows, count(distinct event_id)::int as distinct from audit_events where key_id = $1', [keyId]);
  return r.rows[0]!;
}

beforeAll(async () => {
  schema = await withSchema(env.databaseUrl, ids.schema);
  sqlClient = new pg.Client({ connectionString: schema.schemaUrl });
  await sqlClient.connect();
  publisher = await NatsBus.connect({ url: env.natsUrl, prefix: ids.subjectPrefix });
  await publisher.ensureStream({ name: STREAMS.audit, subjects: [SUBJECTS.auditAll] });
  backends = { database_url: env.databaseUrl, database_schema: ids.schema, nats_url: env.natsUrl, subject_prefix: ids.subjectPrefix };
  database = await createDb<TelemetryTables>({ url: env.databaseUrl, schema: ids.schema });
});

afterAll(async () => {
  for (const s of running) await s[Symbol.asyncDispose]();
  await database?.[Symbol.asyncDispose]();
  await sqlClient?.end();
  await publisher?.deleteStream(STREAMS.audit);
  await publisher?.[Symbol.asyncDispose]();
  await schema?.drop();
});

describe('telemetry on Postgres and NATS JetStream', () => {
  let a: Started;

  it('stores every published event once; redeliveries and duplicates never add a row', async () => {
    a = await start();
    const events = Array.from({ length: 200 }, () => newEvent({ keyId: 'vk_once' }));
    for (const e of events) await publish(publisher, e);
    await waitFor(async () => (await counts('vk_once')).rows === 200, { timeoutMs: 15_000 });

    // The same event ids again: under the same msgId (JetStream drops them) and under a
    // new msgId (as after the dedup window; they reach telemetry and must not duplicate).
    for (const e of events.slice(0, 20)) await publish(publisher, e);
    for (const e of events.slice(0, 20)) await publish(publisher, e, `${e.eventId}-late`);
    const sentinel = newEvent({ keyId: 'vk_once_sentinel' });
    await publish(publisher, sentinel);
    await waitFor(async () => (await counts('vk_once_sentinel')).rows === 1, { timeoutMs: 15_000 });
    expect(await counts('vk_once')).toEqual({ rows: 200, distinct: 200 });
    expect(await metricValue(a.app.registry, 'switchyard_audit_events_written_total', { kind: 'llm' })).toBe(201);

    // A batch redelivered after a crash between insert and ack: stored already, nothing added.
    const store = new PgAuditStore(database);
    const again = events.slice(0, 5).map((e) => recordFromEvent(e, { msgId: e.eventId, receivedAt: new Date() }));
    const result = await store.insert(again.map((d) => { if (!d.ok) throw new Error(d.reason); return d.record; }));
    expect(result).toEqual({ inserted: [], rejected: [] });
    expect(await counts('vk_once')).toEqual({ rows: 200, distinct: 200 });
  });

  it('skips a message that is not an AuditEvent and keeps consuming after it', async () => {
    const before = await metricValue(a.app.registry, 'switchyard_audit_poison_messages_total');
    await publisher.publishDurable(SUBJECTS.auditTool, new Uint8Array([0xff, 0xff, 0xff]), { msgId: `poison-${ids.runId}` });
    const after = newEvent({ keyId: 'vk_after_poison' });
    await publish(publisher, after);
    await waitFor(async () => (await counts('vk_after_poison')).rows === 1, { timeoutMs: 15_000 });
    expect(await metricValue(a.app.registry, 'switchyard_audit_poison_messages_total')).toBe(before + 1);
  });

  it('loses nothing and duplicates nothing when replicas stop mid-stream and another starts', async () => {
    const b = await start(); // a second replica on the same durable consumer
    const total = 600;
    let published = 0;
    const publishing = (async () => {
      while (published < total) {
        for (let i = 0; i < 10; i++) await publish(publisher, newEvent({ keyId: 'vk_restart' }));
        published += 10;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    await waitFor(() => published >= 150, { timeoutMs: 10_000 });
    await stop(a);
    await waitFor(() => published >= 350, { timeoutMs: 10_000 });
    await stop(b);
    // Nobody consumes now; the stream keeps what is published.
    await waitFor(() => published >= 450, { timeoutMs: 10_000 });
    const beforeRestart = (await counts('vk_restart')).rows;
    expect(beforeRestart).toBeLessThan(total);
    const c = await start();
    await publishing;
    await waitFor(async () => (await counts('vk_restart')).rows >= total, { timeoutMs: 20_000 });
    expect(await counts('vk_restart')).toEqual({ rows: total, distinct: total });
    // The new replica stored what the stopped ones left behind.
    expect(await metricValue(c.app.registry, 'switchyard_audit_events_written_total')).toBeGreaterThanOrEqual(total - beforeRestart);
    a = c;
  });

  it('keeps events in the stream while the database refuses writes, and stores them once it is back', async () => {
    await sqlClient.query('alter table audit_events rename to audit_events_away');
    try {
      for (let i = 0; i < 10; i++) await publish(publisher, newEvent({ keyId: 'vk_db_down' }));
      await waitFor(async () => (await metricValue(a.app.registry, 'switchyard_audit_write_errors_total')) >= 2, { timeoutMs: 10_000 });
    } finally {
      await sqlClient.query('alter table audit_events_away rename to audit_events');
    }
    await waitFor(async () => (await counts('vk_db_down')).rows === 10, { timeoutMs: 15_000 });
    expect(await counts('vk_db_down')).toEqual({ rows: 10, distinct: 10 });
  });

  it('deletes events older than the retention period at start, and only those', async () => {
    const store = new PgAuditStore(database);
    const day = 86_400_000;
    const make = (ageDays: number) => {
      const d = recordFromEvent(newEvent({ keyId: 'vk_retention' }), { msgId: '', receivedAt: new Date() });
      if (!d.ok) throw new Error(d.reason);
      return { ...d.record, time: new Date(Date.now() - ageDays * day) };
    };
    await store.insert([make(45), make(31), make(29), make(1)]);
    const r = await start({ retention_days: 30 });
    await waitFor(async () => (await counts('vk_retention')).rows === 2, { timeoutMs: 10_000 });
    expect(await metricValue(r.app.registry, 'switchyard_audit_events_expired_total')).toBe(2);
    expect((await counts('vk_once')).rows).toBe(200);
    await stop(r);
  });
});
