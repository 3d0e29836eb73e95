import { describe, it, expect } from 'vitest';
import { fromBinary, telemetry, toBinary } from '@switchyard/proto';
import { recordFromEvent, eventFromRecord } from '../../src/server/wire.js';
import { isDataError, MAX_INDEXED_TEXT, recordToRow, rowToRecord, unstorableReason, type AuditRow } from '../../src/adapters/pg/rows.js';
import type { AuditRecord } from '../../src/domain/types.js';
import { wireEvent } from '../fixtures.js';

const facts = { msgId: 'msg-1', receivedAt: new Date('2030-01-01T00:00:00Z') };

function decoded(event: telemetry.AuditEvent): AuditRecord {
  const result = recordFromEvent(event, facts);
  if (!result.ok) throw new Error(result.reason);
  return result.record;
}

/** What the pg driver gives back for an inserted row: int8 as strings, bytea as Buffers. */
function asPgRow(record: AuditRecord): AuditRow {
  const row = recordToRow(record);
  const buf = (b: Uint8Array | null | undefined): Uint8Array | null => (b ? Buffer.from(b) : null);
  return {
    ...row,
    time: new Date(record.time.getTime()),
    prompt_tokens: String(row.prompt_tokens),
    completion_tokens: String(row.completion_tokens),
    request_body: buf(row.request_body),
    response_body: buf(row.response_body),
    inserted_at: new Date(),
  } as AuditRow;
}

describe('event ⇄ record ⇄ row', () => {
  it('round-trips every field from the wire through a row and back', () => {
    const event = wireEvent();
    const record = decoded(fromBinary(telemetry.AuditEventSchema, toBinary(telemetry.AuditEventSchema, event)));
    const back = eventFromRecord(rowToRecord(asPgRow(record)));
    expect(toBinary(telemetry.AuditEventSchema, back)).toEqual(toBinary(telemetry.AuditEventSchema, event));
  });

  it('reads PGlite-shaped rows (int8 as numbers, time as a string) too', () => {
    const record = decoded(wireEvent({ requestBody: new Uint8Array(0), responseBody: new Uint8Array(0) }));
    const row = { ...asPgRow(record), prompt_tokens: 12, completion_tokens: 34, time: '2025-11-21T10:11:12.345Z' } as AuditRow;
    expect(rowToRecord(row)).toEqual(record);
  });

  it('stores absent bodies as NULL, not as empty bytes', () => {
    const row = recordToRow(decoded(wireEvent({ requestBody: new Uint8Array(0), responseBody: new Uint8Array(0) })));
    expect(row.request_body).toBeNull();
    expect(row.response_body).toBeNull();
  });

  it('truncates time to milliseconds, the precision cursors compare at', () => {
    const record = decoded(wireEvent({ time: { $typeName: 'google.protobuf.Timestamp', seconds: 1_700_000_000n, nanos: 123_456_789 } }));
    expect(record.time.toISOString()).toBe('2023-11-14T22:13:20.123Z');
  });

  it('falls back to the message id and the time of receipt; refuses an event with no id at all', () => {
    const record = decoded(wireEvent({ eventId: '', time: undefined }));
    expect(record.eventId).toBe('msg-1');
    expect(record.time).toEqual(facts.receivedAt);
    expect(recordFromEvent(wireEvent({ eventId: '' }), { ...facts, msgId: '' })).toEqual({ ok: false, reason: expect.stringContaining('event_id') });
  });

  it('makes values Postgres cannot hold storable: NUL is replaced, over-long indexed text is cut', () => {
    const row = recordToRow(decoded(wireEvent({ model: 'gpt\u0000-evil', keyId: 'k'.repeat(5000) })));
    expect(row.model).toBe('gpt\uFFFD-evil');
    expect(row.key_id).toHaveLength(MAX_INDEXED_TEXT);
    expect(row.key_id?.endsWith('\u2026')).toBe(true);
  });

  it('names the records that can never be stored', () => {
    expect(unstorableReason(decoded(wireEvent()))).toBeUndefined();
    expect(unstorableReason(decoded(wireEvent({ eventId: 'x'.repeat(600) })))).toMatch(/event_id/);
    expect(unstorableReason(decoded(wireEvent({ status: 4_000_000_000 })))).toMatch(/status/);
    expect(unstorableReason(decoded(wireEvent({ attempts: 3_000_000_000 })))).toMatch(/attempts/);
  });

  it('tells data errors (never fixed by a retry) from connection errors', () => {
    expect(isDataError({ code: '22021' })).toBe(true);
    expect(isDataError({ code: '54000' })).toBe(true);
    expect(isDataError({ code: '42P01' })).toBe(false);
    expect(isDataError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isDataError(new Error('x'))).toBe(false);
  });
});
