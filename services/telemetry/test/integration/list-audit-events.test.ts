import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { NatsBus } from '@switchyard/bus';
import { SwitchyardError } from '@switchyard/errors';
import { auditEventToJson, STREAMS, SUBJECTS, telemetry, timestampDate, timestampFromDate } from '@switchyard/proto';
import { testEnv, testIds, waitFor, withSchema, type TestSchema } from '@switchyard/testing';
import { listAll, newEvent, publish, startApp, testConfig, type Started } from './harness.js';

const env = testEnv();
const ids = testIds('tel_list');
let schema: TestSchema;
let publisher: NatsBus;
let svc: Started;

const base = Date.now() - 3_600_000;
const keys = ['vk_a', 'vk_b', 'vk_c'];
const models = [['openai', 'openai/gpt-4o'], ['anthropic', 'anthropic/claude-sonnet'], ['openai', 'openai/gpt-4o-mini']] as const;
const statuses = [200, 200, 429, 500, 201];

/** 83 events; several share a millisecond, so the event id breaks ties in the order. */
const events: telemetry.AuditEvent[] = Array.from({ length: 83 }, (_, i) => {
  const [provider, model] = models[i % 3]!;
  return newEvent({
    eventId: `ev-${String(i).padStart(3, '0')}`,
    time: timestampFromDate(new Date(base + Math.floor(i / 4) * 1000)),
    keyId: keys[i % keys.length]!,
    provider,
    model,
    kind: i % 5 === 0 ? 'tool' : 'llm',
    status: statuses[i % statuses.length]!,
    requestId: `req-${Math.floor(i / 10)}`,
  });
});

const ms = (e: telemetry.AuditEvent): number => timestampDate(e.time!).getTime();
/** The contract's order: newest first, then event id descending (byte order). */
function expected(pred: (e: telemetry.AuditEvent) => boolean): string[] {
  return events.filter(pred)
    .sort((x, y) => ms(y) - ms(x) || (y.eventId < x.eventId ? -1 : y.eventId > x.eventId ? 1 : 0))
    .map((e) => e.eventId);
}
const idsOf = (list: telemetry.AuditEvent[]): string[] => list.map((e) => e.eventId);

beforeAll(async () => {
  schema = await withSchema(env.databaseUrl, ids.schema);
  publisher = await NatsBus.connect({ url: env.natsUrl, prefix: ids.subjectPrefix });
  await publisher.ensureStream({ name: STREAMS.audit, subjects: [SUBJECTS.auditAll] });
  svc = await startApp(testConfig({
    ops: { port: 0 },
    backends: { database_url: env.databaseUrl, database_schema: ids.schema, nats_url: env.natsUrl, subject_prefix: ids.subjectPrefix },
  }));
  for (const e of events) await publish(publisher, e);
  await waitFor(async () => (await listAll(svc.client, {})).length === events.length, { timeoutMs: 15_000 });
});

afterAll(async () => {
  await svc?.[Symbol.asyncDispose]();
  await publisher?.deleteStream(STREAMS.audit);
  await publisher?.[Symbol.asyncDispose]();
  await schema?.drop();
});

describe('ListAuditEvents', () => {
  it('returns every field as published, newest first', async () => {
    const res = await svc.client.client.listAuditEvents({ limit: 500 });
    expect(idsOf(res.events)).toEqual(expected(() => true));
    expect(res.nextCursor).toBe('');
    const got = res.events.find((e) => e.eventId === 'ev-007')!;
    expect(auditEventToJson(got)).toEqual(auditEventToJson(events[7]!));
  });

  it('walks every page without overlap or gap, with and without filters', async () => {
    for (const [request, pred] of [
      [{}, () => true],
      [{ keyId: 'vk_b' }, (e: telemetry.AuditEvent) => e.keyId === 'vk_b'],
      [{ outcome: 'error', provider: 'openai' }, (e: telemetry.AuditEvent) => e.status >= 400 && e.provider === 'openai'],
    ] as const) {
      for (const limit of [1, 4, 7, 50]) {
        const pages: string[][] = [];
        let cursor = '';
        do {
          const res = await svc.client.client.listAuditEvents({ ...request, limit, cursor });
          expect(res.events.length).toBeLessThanOrEqual(limit);
          pages.push(idsOf(res.events));
          cursor = res.nextCursor;
        } while (cursor);
        expect(pages.flat()).toEqual(expected(pred));
        expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
      }
    }
  });

  it('filters by key, model, provider, kind, request id, outcome and time range', async () => {
    const cases: Array<[Record<string, unknown>, (e: telemetry.AuditEvent) => boolean]> = [
      [{ keyId: 'vk_a' }, (e) => e.keyId === 'vk_a'],
      [{ model: 'anthropic/claude-sonnet' }, (e) => e.model === 'anthropic/claude-sonnet'],
      [{ provider: 'openai' }, (e) => e.provider === 'openai'],
      [{ kind: 'tool' }, (e) => e.kind === 'tool'],
      [{ requestId: 'req-3' }, (e) => e.requestId === 'req-3'],
      [{ outcome: 'success' }, (e) => e.status < 400],
      [{ outcome: 'error' }, (e) => e.status >= 400],
      [{ keyId: 'vk_c', kind: 'llm', outcome: 'success' }, (e) => e.keyId === 'vk_c' && e.kind === 'llm' && e.status < 400],
      [
        { since: timestampFromDate(new Date(base + 5_000)), until: timestampFromDate(new Date(base + 9_000)) },
        (e) => ms(e) >= base + 5_000 && ms(e) < base + 9_000,
      ],
      [{ keyId: 'vk_nobody' }, () => false],
    ];
    for (const [request, pred] of cases) {
      const want = expected(pred);
      if (request.keyId !== 'vk_nobody') expect(want.length).toBeGreaterThan(0);
      expect(idsOf(await listAll(svc.client, request, 5))).toEqual(want);
    }
  });

  it('refuses a bad cursor, a bad limit and a bad outcome as invalid_argument naming the parameter', async () => {
    for (const [request, param] of [
      [{ cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
      [{ cursor: '!!' }, 'cursor'],
      [{ limit: 501 }, 'limit'],
      [{ outcome: 'meh' }, 'outcome'],
    ] as const) {
      const err = await svc.client.client.listAuditEvents(request).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(SwitchyardError);
      expect((err as SwitchyardError).kind).toBe('invalid_argument');
      expect((err as SwitchyardError).param).toBe(param);
    }
  });

  it('serves /healthz, /readyz and /metrics on the ops port', async () => {
    const url = `http://127.0.0.1:${svc.opsPort}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(`switchyard_audit_events_written_total{kind="llm",service="telemetry"}`);
    expect(metrics).toContain('switchyard_audit_batch_seconds_bucket');
    expect(await svc.app.ready()).toBe(true);
  });
});
