import { describe, expect, it } from 'vitest';
import { selectKey } from '../../src/domain/select-key.js';
import { key, seeded } from './helpers.js';

describe('selectKey', () => {
  it('draws keys in proportion to their weights', () => {
    const keys = [key('a', 1), key('b', 3), key('c', 6)];
    const random = seeded(42);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const k = selectKey(keys, 'm', new Set(), random);
      if (k) counts[k.name] = (counts[k.name] ?? 0) + 1;
    }
    expect((counts.a ?? 0) / draws).toBeCloseTo(0.1, 2);
    expect((counts.b ?? 0) / draws).toBeCloseTo(0.3, 2);
    expect((counts.c ?? 0) / draws).toBeCloseTo(0.6, 2);
  });

  it('maps the random number onto cumulative weights', () => {
    const keys = [key('a', 1), key('b', 3)];
    expect(selectKey(keys, 'm', new Set(), () => 0)?.name).toBe('a');
    expect(selectKey(keys, 'm', new Set(), () => 0.2499)?.name).toBe('a');
    expect(selectKey(keys, 'm', new Set(), () => 0.25)?.name).toBe('b');
    expect(selectKey(keys, 'm', new Set(), () => 0.999999)?.name).toBe('b');
  });

  it('uses keys with a models list only for those models', () => {
    const keys = [key('any', 1), key('only-4o', 100, ['gpt-4o'])];
    const random = seeded(7);
    const forMini = new Set<string>();
    for (let i = 0; i < 1_000; i++) forMini.add(selectKey(keys, 'gpt-4o-mini', new Set(), random)?.name ?? 'none');
    expect([...forMini]).toEqual(['any']);
    expect(selectKey(keys, 'gpt-4o', new Set(), () => 0.5)?.name).toBe('only-4o');
  });

  it('skips excluded keys and returns undefined when none is left', () => {
    const keys = [key('a'), key('b', 1, ['x'])];
    expect(selectKey(keys, 'x', new Set(['a']), () => 0)?.name).toBe('b');
    expect(selectKey(keys, 'y', new Set(['a']), () => 0)).toBeUndefined();
    expect(selectKey([], 'y', new Set(), () => 0)).toBeUndefined();
  });
});
