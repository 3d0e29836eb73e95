import { describe, it, expect } from 'vitest';
import { recordFromEvent } from '../../src/server/wire.js';
import { INSERT_COLUMNS, recordToJsonRow } from '../../src/adapters/pg/rows.js';
import { wireEvent } from '../fixtures.js';

const facts = { msgId: 'msg-1', receivedAt: new Date('2026-01-01T00:00:00Z') };

function record(overrides: Parameters<typeof wireEvent>[0] = {}) {
  const r = recordFromEvent(wireEvent(overrides), facts);
  if (!r.ok) throw new Error(r.reason);
  return r.record;
}

describe('batch rows as JSON (json_populate_recordset)', () => {
  it('writes every insert column, times as ISO, bytea as \\x hex, absent bodies as null', () => {
    const row = recordToJsonRow({ ...record(), requestBody: new Uint8Array([0, 255, 16]), responseBody: undefined });
    expect(Object.keys(row).sort()).toEqual([...INSERT_COLUMNS].sort());
    expect(row.time).toBe(record().time.toISOString());
    expect(row.request_body).toBe('\\x00ff10');
    expect(row.response_body).toBeNull();
    expect(JSON.parse(JSON.stringify(row))).toEqual(row);
  });

  it('makes text Postgres can hold: lone surrogates and NUL become U+FFFD', () => {
    const row = recordToJsonRow({ ...record(), model: 'a\uD800b', route: 'x\u0000y' });
    expect(row.model).toBe('a\uFFFDb');
    expect(row.route).toBe('x\uFFFDy');
  });
});
