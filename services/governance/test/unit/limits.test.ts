import { describe, expect, it } from 'vitest';
import { chainRefs, orderLimits, validateEntity, validateLimit, validatePeriod } from '../../src/domain/index.js';

describe('limit resolution up the chain', () => {
  it('lists the chain key first, skipping absent links', () => {
    expect(chainRefs({ keyId: 'k' })).toEqual([{ kind: 'key', id: 'k' }]);
    expect(chainRefs({ keyId: 'k', teamId: 't', customerId: 'c' })).toEqual([{ kind: 'key', id: 'k' }, { kind: 'team', id: 't' }, { kind: 'customer', id: 'c' }]);
    expect(chainRefs({ keyId: 'k', customerId: 'c' })).toEqual([{ kind: 'key', id: 'k' }, { kind: 'customer', id: 'c' }]);
  });

  it('orders budgets and rate limits key, team, customer, keeping creation order within an entity', () => {
    const b = (id: string, entityKind: 'key' | 'team' | 'customer') => ({ id, entityKind, entityId: 'x', limitMicros: 1, period: '1d' as const });
    const ordered = orderLimits([b('c1', 'customer'), b('k1', 'key'), b('t1', 'team'), b('k2', 'key')], []);
    expect(ordered.budgets.map((x) => x.id)).toEqual(['k1', 'k2', 't1', 'c1']);
  });

  it('validates entities, periods and limits with the parameter at fault', () => {
    expect(() => validateEntity('user', 'x')).toThrow(expect.objectContaining({ param: 'entity_kind' }));
    expect(() => validateEntity('key', '')).toThrow(expect.objectContaining({ param: 'entity_id' }));
    expect(() => validatePeriod('1q')).toThrow(expect.objectContaining({ param: 'period' }));
    expect(validatePeriod('1M')).toBe('1M');
    expect(() => validateLimit(1.5, 'limit')).toThrow(expect.objectContaining({ param: 'limit' }));
    expect(() => validateLimit(-1, 'limit_micros')).toThrow(expect.objectContaining({ param: 'limit_micros' }));
    expect(validateLimit(0, 'limit')).toBe(0);
  });
});
