import { describe, it, expect } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import { encodeCursor } from '../../src/domain/cursor.js';
import { parseListQuery, type ListAuditInput } from '../../src/domain/list-query.js';

const empty: ListAuditInput = {
  limit: 0, cursor: '', keyId: '', model: '', provider: '', kind: '', requestId: '', outcome: '', since: undefined, until: undefined,
};

function errorOf(input: Partial<ListAuditInput>): SwitchyardError {
  try {
    parseListQuery({ ...empty, ...input });
  } catch (err) {
    if (err instanceof SwitchyardError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('parseListQuery', () => {
  it('defaults to 50 newest events with no filter', () => {
    expect(parseListQuery(empty)).toEqual({ filter: {}, limit: 50 });
  });

  it('keeps only the filters that are set', () => {
    const since = new Date('2025-01-01T00:00:00Z');
    const until = new Date('2025-01-02T00:00:00Z');
    const q = parseListQuery({ ...empty, limit: 7, keyId: 'vk_1', model: 'openai/gpt-4o', provider: 'openai', kind: 'llm', requestId: 'r1', outcome: 'error', since, until });
    expect(q).toEqual({
      limit: 7,
      filter: { keyId: 'vk_1', model: 'openai/gpt-4o', provider: 'openai', kind: 'llm', requestId: 'r1', outcome: 'error', since, until },
    });
  });

  it('decodes the cursor into the position to continue after', () => {
    const time = new Date('2025-03-04T05:06:07.089Z');
    expect(parseListQuery({ ...empty, cursor: encodeCursor({ time, eventId: 'e9' }) }).after).toEqual({ time, eventId: 'e9' });
  });

  it('accepts the limits 1 and 500 and refuses beyond them rather than clamping', () => {
    expect(parseListQuery({ ...empty, limit: 1 }).limit).toBe(1);
    expect(parseListQuery({ ...empty, limit: 500 }).limit).toBe(500);
    const e = errorOf({ limit: 501 });
    expect(e.kind).toBe('invalid_argument');
    expect(e.param).toBe('limit');
  });

  it('refuses an unknown outcome, an inverted time range and a bad cursor, naming the parameter', () => {
    expect(errorOf({ outcome: 'failed' }).param).toBe('outcome');
    expect(errorOf({ since: new Date(2000), until: new Date(1000) }).param).toBe('since');
    expect(errorOf({ cursor: 'garbage!' }).param).toBe('cursor');
  });
});
