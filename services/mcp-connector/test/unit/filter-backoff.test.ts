import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/domain/backoff.js';
import { isToolAllowed } from '../../src/domain/filter.js';

describe('isToolAllowed', () => {
  it('"*" allows all, [] none, otherwise exact names', () => {
    expect(isToolAllowed(['*'], 'anything')).toBe(true);
    expect(isToolAllowed([], 'echo')).toBe(false);
    expect(isToolAllowed(['echo'], 'echo')).toBe(true);
    expect(isToolAllowed(['echo'], 'echo2')).toBe(false);
    expect(isToolAllowed(['echo'], 'Echo')).toBe(false);
  });
});

describe('backoffDelay', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 5000, multiplier: 2, jitter: 0.5 };

  it('grows exponentially and is capped', () => {
    const none = { ...policy, jitter: 0 };
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(none, a))).toEqual([100, 200, 400, 800, 5000]);
  });

  it('randomises the jitter share of each delay, within bounds', () => {
    expect(backoffDelay(policy, 2, () => 0)).toBe(200);
    expect(backoffDelay(policy, 2, () => 1)).toBe(400);
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(300);
    const samples = new Set(Array.from({ length: 50 }, () => backoffDelay(policy, 3)));
    expect(samples.size).toBeGreaterThan(1);
    for (const s of samples) expect(s).toBeGreaterThanOrEqual(400), expect(s).toBeLessThanOrEqual(800);
  });
});
