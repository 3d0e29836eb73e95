import { describe, expect, it } from 'vitest';
import { estimateChat, fits, planEntries, PriceTable, tokenCostMicros, usdToMicros, windowOf } from '../../src/index.js';

describe('windowOf: fixed, calendar-aligned UTC windows', () => {
  const t = Date.UTC(2026, 1, 18, 13, 47, 21, 500); // Wednesday 2026-02-18
  it.each([
    ['1m', Date.UTC(2026, 1, 18, 13, 47), Date.UTC(2026, 1, 18, 13, 48)],
    ['1h', Date.UTC(2026, 1, 18, 13), Date.UTC(2026, 1, 18, 14)],
    ['1d', Date.UTC(2026, 1, 18), Date.UTC(2026, 1, 19)],
    ['1w', Date.UTC(2026, 1, 16), Date.UTC(2026, 1, 23)],
    ['1M', Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1)],
    ['1Y', Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)],
  ] as const)('%s', (period, start, end) => {
    expect(windowOf(period, t)).toEqual({ startMs: start, endMs: end });
  });

  it('weeks start on Monday 00:00 UTC, months have their own lengths', () => {
    expect(windowOf('1w', Date.UTC(2026, 1, 16)).startMs).toBe(Date.UTC(2026, 1, 16));
    expect(windowOf('1w', Date.UTC(2026, 1, 15, 23, 59)).startMs).toBe(Date.UTC(2026, 1, 9));
    expect(windowOf('1M', Date.UTC(2028, 1, 29, 23)).endMs).toBe(Date.UTC(2028, 2, 1));
    expect(windowOf('1Y', Date.UTC(2026, 11, 31, 23, 59, 59, 999)).endMs).toBe(Date.UTC(2027, 0, 1));
  });
});

describe('prices', () => {
  const table = new PriceTable({ 'mock/test-model': { input: 1, output: 2 }, 'gpt-4o': { input: 3, output: 9 } });
  it('finds exact, bare and dated names by the longest prefix; overrides win', () => {
    expect(table.lookup('mock/test-model')).toEqual({ input: 1, output: 2 });
    expect(table.lookup('openai/gpt-4o')).toEqual({ input: 3, output: 9 });
    expect(table.lookup('gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(table.lookup('anthropic/claude-sonnet-4-20250514')).toEqual({ input: 3, output: 15 });
    expect(table.lookup('gpt-4omni')).toBeUndefined();
    expect(table.lookup('unknown/model')).toBeUndefined();
  });
  it('costs micro-USD exactly (USD per 1M tokens is micro-USD per token), rounded up', () => {
    expect(tokenCostMicros({ input: 2.5, output: 10 }, 1000, 500)).toBe(7500);
    expect(tokenCostMicros({ input: 0.15, output: 0.6 }, 1, 1)).toBe(1);
    expect(tokenCostMicros(undefined, 1000, 1000)).toBe(0);
    expect(usdToMicros(0.01)).toBe(10_000);
  });
  it('estimates from max_completion_tokens, max_tokens or the default, and the body size', () => {
    const o = { defaultMaxTokens: 1000, promptBytesPerToken: 4 };
    const price = { input: 1, output: 2 };
    expect(estimateChat({ max_tokens: 10 }, 400, price, o)).toEqual({ promptTokens: 100, completionTokens: 10, tokens: 110, costMicros: 120 });
    expect(estimateChat({ max_tokens: 10, max_completion_tokens: 20 }, 3, price, o).completionTokens).toBe(20);
    expect(estimateChat({}, 3, price, o)).toMatchObject({ promptTokens: 1, completionTokens: 1000, costMicros: 2001 });
  });
});

describe('planning and fitting', () => {
  it('budgets come first, then rate limits; tool calls skip token limits', () => {
    const limits = {
      budgets: [{ id: 'b', entityKind: 'key' as const, entityId: 'k', limitMicros: 5, period: '1d' as const }],
      rateLimits: [
        { id: 't', entityKind: 'key' as const, entityId: 'k', unit: 'tokens' as const, limit: 5, period: '1m' as const },
        { id: 'r', entityKind: 'team' as const, entityId: 'tm', unit: 'requests' as const, limit: 5, period: '1m' as const },
      ],
    };
    const now = Date.UTC(2026, 0, 1, 0, 0, 30);
    expect(planEntries(limits, { costMicros: 3, tokens: 7, llm: true }, now).map((e) => [e.key, e.amount])).toEqual([
      [`b:b:${Date.UTC(2026, 0, 1)}`, 3], [`t:t:${Date.UTC(2026, 0, 1)}`, 7], [`r:r:${Date.UTC(2026, 0, 1)}`, 1],
    ]);
    expect(planEntries(limits, { costMicros: 3, tokens: 0, llm: false }, now).map((e) => e.kind)).toEqual(['budget', 'requests']);
  });
  it('fits while under the limit and the amount fits', () => {
    expect(fits(0, 10, 10)).toBe(true);
    expect(fits(1, 10, 10)).toBe(false);
    expect(fits(10, 0, 10)).toBe(false);
    expect(fits(9, 0, 10)).toBe(true);
  });
});
