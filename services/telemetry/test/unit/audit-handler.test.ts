import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import type { DurableMessage } from '@switchyard/bus';
import { createLogger, createRegistry, type Registry } from '@switchyard/obs';
import { telemetry, toBinary } from '@switchyard/proto';
import type { AuditStore, InsertResult } from '../../src/domain/ports.js';
import type { AuditRecord } from '../../src/domain/types.js';
import { createTelemetryMetrics } from '../../src/server/metrics.js';
import { createAuditBatchHandler } from '../../src/server/nats/audit.js';
import { metricValue, wireEvent } from '../fixtures.js';

class FakeStore implements AuditStore {
  readonly rows = new Map<string, AuditRecord>();
  calls: AuditRecord[][] = [];
  failWith: Error | undefined;
  reject = new Set<string>();

  async insert(records: readonly AuditRecord[]): Promise<InsertResult> {
    this.calls.push([...records]);
    if (this.failWith) throw this.failWith;
    const result: InsertResult = { inserted: [], rejected: [] };
    for (const r of records) {
      if (this.reject.has(r.eventId)) result.rejected.push({ record: r, reason: 'bad' });
      else if (!this.rows.has(r.eventId)) {
        this.rows.set(r.eventId, r);
        result.inserted.push({ eventId: r.eventId, kind: r.kind });
      }
    }
    return result;
  }
  async list(): Promise<never> { throw new Error('unused'); }
  async deleteOlderThan(): Promise<number> { return 0; }
  async ping(): Promise<void> {}
}

let seq = 0;
function msg(data: Uint8Array, msgId = ''): DurableMessage {
  seq++;
  return { subject: 'audit.llm', data, headers: {}, msgId, seq, redelivered: false };
}
function eventMsg(eventId: string, kind = 'llm'): DurableMessage {
  return msg(toBinary(telemetry.AuditEventSchema, wireEvent({ eventId, kind })), eventId);
}

function setup(): { store: FakeStore; registry: Registry; handler: (b: DurableMessage[]) => Promise<void>; logs: string[] } {
  const store = new FakeStore();
  const registry = createRegistry({ service: 'telemetry', defaultMetrics: false });
  const logs: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _enc, cb) { logs.push(chunk.toString()); cb(); } });
  const logger = createLogger({ service: 'telemetry', level: 'debug', destination });
  const handler = createAuditBatchHandler({ store, logger, metrics: createTelemetryMetrics(registry) });
  return { store, registry, handler, logs };
}

describe('audit batch handler', () => {
  it('stores a batch in one insert and counts what was written by kind', async () => {
    const { store, registry, handler } = setup();
    await handler([eventMsg('e1'), eventMsg('e2', 'tool'), eventMsg('e3', 'weird')]);
    expect(store.calls).toHaveLength(1);
    expect([...store.rows.keys()]).toEqual(['e1', 'e2', 'e3']);
    expect(await metricValue(registry, 'switchyard_audit_events_written_total', { kind: 'llm' })).toBe(1);
    expect(await metricValue(registry, 'switchyard_audit_events_written_total', { kind: 'tool' })).toBe(1);
    expect(await metricValue(registry, 'switchyard_audit_events_written_total', { kind: 'other' })).toBe(1);
  });

  it('skips a message that is not an AuditEvent, logs and counts it, and stores the rest', async () => {
    const { store, registry, handler, logs } = setup();
    await handler([eventMsg('e1'), msg(new Uint8Array([0xff, 0xff, 0xff]), 'junk'), eventMsg('e2')]);
    expect([...store.rows.keys()]).toEqual(['e1', 'e2']);
    expect(await metricValue(registry, 'switchyard_audit_poison_messages_total')).toBe(1);
    expect(logs.some((l) => l.includes('audit.poison_message') && l.includes('junk'))).toBe(true);
  });

  it('resolves (acks) a batch made only of poison, without touching storage', async () => {
    const { store, registry, handler } = setup();
    await handler([msg(new Uint8Array([0xff, 0xff]))]);
    expect(store.calls).toHaveLength(0);
    expect(await metricValue(registry, 'switchyard_audit_poison_messages_total')).toBe(1);
  });

  it('collapses repeated event ids within a batch and does not count an already stored event again', async () => {
    const { store, registry, handler } = setup();
    await handler([eventMsg('e1'), eventMsg('e1')]);
    expect(store.calls[0]).toHaveLength(1);
    await handler([eventMsg('e1')]); // a redelivery after a crash between insert and ack
    expect(store.rows.size).toBe(1);
    expect(await metricValue(registry, 'switchyard_audit_events_written_total', { kind: 'llm' })).toBe(1);
  });

  it('throws when storage fails, so the bus redelivers the batch, and counts the failure', async () => {
    const { store, registry, handler } = setup();
    store.failWith = new Error('connection refused');
    await expect(handler([eventMsg('e1')])).rejects.toThrow('connection refused');
    expect(store.rows.size).toBe(0);
    expect(await metricValue(registry, 'switchyard_audit_write_errors_total')).toBe(1);
    store.failWith = undefined;
    await handler([eventMsg('e1')]);
    expect(store.rows.size).toBe(1);
  });

  it('counts records that storage refuses as poison and resolves', async () => {
    const { store, registry, handler } = setup();
    store.reject.add('bad');
    await handler([eventMsg('ok'), eventMsg('bad')]);
    expect([...store.rows.keys()]).toEqual(['ok']);
    expect(await metricValue(registry, 'switchyard_audit_poison_messages_total')).toBe(1);
  });
});
