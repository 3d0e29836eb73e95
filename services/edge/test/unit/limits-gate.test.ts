import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import type { Limits } from '@switchyard/limits';
import { createLogger } from '@switchyard/obs';
import { Counters, PriceTable } from '@switchyard/limits';
import { denialError, LimitsGate } from '../../src/domain/limits-gate.js';
import type { Principal } from '../../src/domain/types.js';
import { testLimitsGate } from '../limits-fixture.js';

const T0 = Date.UTC(2026, 2, 10, 9, 30, 15);
const limits: Limits = {
  budgets: [{ id: 'b1', entityKind: 'key', entityId: 'vk_1', limitMicros: 1_000, period: '1h' }],
  rateLimits: [{ id: 'r1', entityKind: 'key', entityId: 'vk_1', unit: 'requests', limit: 100, period: '1m' }],
};
const principal = { keyId: 'vk_1', teamId: 'team_1', models: () => true, allowedModels: ['*'], limits } as unknown as Principal;
const chat = { model: 'openai/m', messages: [{ role: 'user' }], max_tokens: 10 };
const ids = { eventId: 'e1', requestId: 'r1' };

describe('LimitsGate', () => {
  it('reserves the estimate, settles on actual usage and records a usage event with its budget charges', async () => {
    const { gate, counters, usage, outcomes } = testLimitsGate({ now: () => T0, prices: { 'openai/m': { input: 1, output: 2 } } });
    const ticket = await gate.reserveModel(principal, chat, 40); // 10 prompt + 10 output tokens: 10 + 20 = 30
    expect((await counters.values(limits)).map((v) => v.used)).toEqual([30, 1]);
    gate.settleModel(principal, ticket, ids, 'openai/m', { provider: 'openai', model: 'm', attempts: 1, fallbacksUsed: 0, usage: { promptTokens: 7n, completionTokens: 3n } }, true);
    await new Promise((r) => setImmediate(r));
    expect((await counters.values(limits)).map((v) => v.used)).toEqual([13, 1]);
    expect(usage).toEqual([{
      eventId: 'e1', requestId: 'r1', timeMs: expect.any(Number), keyId: 'vk_1', teamId: 'team_1', customerId: '', kind: 'model', name: 'openai/m',
      promptTokens: 7, completionTokens: 3, costMicros: 13, charges: [{ budgetId: 'b1', windowStartMs: Date.UTC(2026, 2, 10, 9), costMicros: 13 }],
    }]);
    expect(outcomes).toEqual(['admitted']);
  });

  it('releases a failed call (no usage event) and keeps the estimate for a stream that ended without usage', async () => {
    const { gate, counters, usage } = testLimitsGate({ now: () => T0, prices: { 'openai/m': { input: 1, output: 2 } } });
    const failed = await gate.reserveModel(principal, chat, 40);
    gate.settleModel(principal, failed, ids, 'openai/m', undefined, false);
    const cut = await gate.reserveModel(principal, chat, 40);
    gate.settleModel(principal, cut, ids, 'openai/m', undefined, true);
    await new Promise((r) => setImmediate(r));
    expect((await counters.values(limits)).map((v) => v.used)).toEqual([30, 2]);
    expect(usage.map((u) => [u.costMicros, u.completionTokens])).toEqual([[30, 20]]);
  });

  it('charges tools their price when they ran and nothing when they failed', async () => {
    const { gate, counters, usage } = testLimitsGate({ now: () => T0 });
    gate.settleTool(principal, await gate.reserveTool(principal, 400), ids, 'fs-read', 400, true);
    gate.settleTool(principal, await gate.reserveTool(principal, 400), ids, 'fs-read', 400, false);
    await new Promise((r) => setImmediate(r));
    expect((await counters.values(limits)).map((v) => v.used)).toEqual([400, 2]);
    expect(usage.map((u) => [u.kind, u.name, u.costMicros])).toEqual([['tool', 'fs-read', 400]]);
    await expect(gate.reserveTool(principal, 700)).rejects.toMatchObject({ kind: 'budget_exceeded', code: 'budget_exceeded' });
  });

  it('does nothing for a principal without limits but record usage; nothing at all for the anonymous caller', async () => {
    const { gate, usage } = testLimitsGate({ now: () => T0 });
    const free = { ...principal, limits: { budgets: [], rateLimits: [] } } as Principal;
    expect(await gate.reserveModel(free, chat, 40)).toBeUndefined();
    gate.settleTool(free, undefined, ids, 't', 5, true);
    gate.settleTool({ ...free, keyId: '' } as Principal, undefined, ids, 't', 5, true);
    expect(usage.map((u) => [u.keyId, u.costMicros, u.charges])).toEqual([['vk_1', 5, []]]);
  });

  it('fails closed when the counters cannot answer', async () => {
    const outcomes: string[] = [];
    const down = { reserve: () => Promise.reject(new Error('ECONNREFUSED')), adjust: () => Promise.reject(new Error('ECONNREFUSED')), read: () => Promise.reject(new Error('ECONNREFUSED')) };
    const gate = new LimitsGate({
      counters: new Counters({ driver: down }), prices: new PriceTable(), estimate: { defaultMaxTokens: 1, promptBytesPerToken: 4 },
      usage: { recordUsage: () => undefined }, metrics: { reservation: (o) => outcomes.push(o), settled: () => undefined, unpriced: () => undefined },
      logger: createLogger({ service: 'edge-test', level: 'silent' }),
    });
    await expect(gate.reserveTool(principal, 1)).rejects.toMatchObject({ kind: 'unavailable', code: 'limits_unavailable' });
    expect(outcomes).toEqual(['error']);
  });

  it('says which budget or rate limit refused, and when to retry', () => {
    const b = denialError({ reason: 'budget_exceeded', budget: limits.budgets[0]!, usedMicros: 1000, resetsAtMs: Date.UTC(2026, 2, 10, 10) });
    expect(b).toBeInstanceOf(SwitchyardError);
    expect(b.message).toBe('budget exceeded: the key budget b1 (0.001 USD per hour) is used up until 2026-03-10T10:00:00.000Z');
    const r = denialError({ reason: 'rate_limited', rateLimit: limits.rateLimits[0]!, retryAfterMs: 44_001 });
    expect([r.kind, r.code, r.retryAfterSeconds]).toEqual(['rate_limited', 'rate_limited', 45]);
    expect(r.message).toBe('rate limit reached: 100 requests per minute on key vk_1; retry in 45 s');
  });
});
