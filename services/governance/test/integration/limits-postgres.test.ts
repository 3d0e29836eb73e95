import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '@switchyard/bus';
import { create, governance, SUBJECTS, timestampFromDate, toBinary } from '@switchyard/proto';
import { dropSchema, testEnv, testIds, waitFor } from '@switchyard/testing';
import { createApp, type GovernanceApp } from '../../src/index.js';
import { connect, postgresConfig, failure, recordPolicyEvents, type Event, type Governance } from './harness.js';

const env = testEnv();
const ids = testIds('gov_limits');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

let app: GovernanceApp;
let gov: Governance;
let bus: NatsBus;
let events: Event[];
let stopRecording: () => void;

beforeAll(async () => {
  const config = postgresConfig(env, ids, -1);
  bus = await NatsBus.connect({ url: env.natsUrl, prefix: ids.subjectPrefix, name: 'governance-limits-test' });
  ({ events, stop: stopRecording } = recordPolicyEvents(bus));
  await bus.flush();
  app = createApp(config);
  gov = await connect((await app.start()).grpcPort);
});

afterAll(async () => {
  gov?.close();
  stopRecording?.();
  await app?.[Symbol.asyncDispose]();
  await bus?.deleteStream('USAGE').catch(() => undefined);
  await bus?.[Symbol.asyncDispose]();
  await dropSchema(env.databaseUrl, ids.schema);
});

function usageEvent(fields: Partial<governance.UsageEvent> & { eventId: string }): Uint8Array {
  return toBinary(governance.UsageEventSchema, create(governance.UsageEventSchema, { time: timestampFromDate(new Date()), kind: 'model', ...fields }));
}

describe('budgets, rate limits and the usage ledger on Postgres and NATS', () => {
  it('resolves every budget and rate limit of a key into LookupKey, key level first, and announces changes', async () => {
    const { key, secret } = await gov.client.createKey({ name: 'limited', enabled: true, allowedModels: ['*'] });
    const keyId = key!.id;
    const daily = (await gov.client.createBudget({ entityKind: 'key', entityId: keyId, limitMicros: 5_000_000n, period: '1d' })).budget!;
    const monthly = (await gov.client.createBudget({ entityKind: 'key', entityId: keyId, limitMicros: 50_000_000n, period: '1M' })).budget!;
    const elsewhere = (await gov.client.createTeam({ name: 'elsewhere' })).team!;
    await gov.client.createBudget({ entityKind: 'team', entityId: elsewhere.id, limitMicros: 1n, period: '1h' });
    const rpm = (await gov.client.createRateLimit({ entityKind: 'key', entityId: keyId, unit: 'requests', limit: 60n, period: '1m' })).rateLimit!;
    const tph = (await gov.client.createRateLimit({ entityKind: 'key', entityId: keyId, unit: 'tokens', limit: 100_000n, period: '1h' })).rateLimit!;

    const looked = await gov.client.lookupKey({ keyHash: sha256(secret) });
    expect(looked.budgets.map((b) => [b.id, b.limitMicros, b.period])).toEqual([[daily.id, 5_000_000n, '1d'], [monthly.id, 50_000_000n, '1M']]);
    expect(looked.rateLimits.map((r) => [r.id, r.unit, r.limit, r.period])).toEqual([[rpm.id, 'requests', 60n, '1m'], [tph.id, 'tokens', 100_000n, '1h']]);

    const updated = (await gov.client.updateBudget({ id: daily.id, limitMicros: 7_000_000n })).budget!;
    expect(updated.limitMicros).toBe(7_000_000n);
    expect(updated.period).toBe('1d');
    await gov.client.deleteRateLimit({ id: tph.id });
    expect((await gov.client.lookupKey({ keyHash: sha256(secret) })).rateLimits.map((r) => r.id)).toEqual([rpm.id]);
    expect((await gov.client.listBudgets({ entityKind: 'key', entityId: keyId })).budgets).toHaveLength(2);

    // Changes on a key carry its hash (edge drops that entry); team changes carry none (edge flushes).
    await waitFor(() => events.filter((e) => e.kind === 'rate_limit').length >= 3, { timeoutMs: 5000, intervalMs: 10 });
    expect(events.filter((e) => e.id === daily.id).map((e) => [e.subject, e.keyHash])).toEqual([
      [SUBJECTS.policyChanged('budget'), sha256(secret)], [SUBJECTS.policyChanged('budget'), sha256(secret)],
    ]);
    expect(events.find((e) => e.kind === 'budget' && e.keyHash === '')).toBeDefined();
  });

  it('resolves the whole chain: the key budgets, then the team ones, then the customer ones', async () => {
    const customer = (await gov.client.createCustomer({ name: 'acme' })).customer!;
    const team = (await gov.client.createTeam({ name: 'platform', customerId: customer.id })).team!;
    const { key, secret } = await gov.client.createKey({ name: 'in-team', enabled: true, allowedModels: ['*'], teamId: team.id });
    const own = (await gov.client.createBudget({ entityKind: 'key', entityId: key!.id, limitMicros: 1_000_000n, period: '1d' })).budget!;
    const teams = (await gov.client.createBudget({ entityKind: 'team', entityId: team.id, limitMicros: 10_000_000n, period: '1w' })).budget!;
    const customers = (await gov.client.createBudget({ entityKind: 'customer', entityId: customer.id, limitMicros: 100_000_000n, period: '1M' })).budget!;
    const teamRpm = (await gov.client.createRateLimit({ entityKind: 'team', entityId: team.id, unit: 'requests', limit: 600n, period: '1m' })).rateLimit!;
    const looked = await gov.client.lookupKey({ keyHash: sha256(secret) });
    expect(looked.policy?.teamId).toBe(team.id);
    expect(looked.policy?.customerId).toBe(customer.id);
    expect(looked.budgets.map((b) => [b.id, b.entityKind])).toEqual([[own.id, 'key'], [teams.id, 'team'], [customers.id, 'customer']]);
    expect(looked.rateLimits.map((r) => [r.id, r.entityKind])).toEqual([[teamRpm.id, 'team']]);
    // Budgets hang only on entities that exist.
    expect((await failure(gov.client.createBudget({ entityKind: 'team', entityId: 'team_missing', limitMicros: 1n, period: '1d' }))).kind).toBe('not_found');
    expect((await failure(gov.client.createBudget({ entityKind: 'customer', entityId: 'cus_missing', limitMicros: 1n, period: '1d' }))).kind).toBe('not_found');
  });

  it('rejects bad input with its parameter, and budgets on keys that do not exist', async () => {
    expect((await failure(gov.client.createBudget({ entityKind: 'user', entityId: 'x', limitMicros: 1n, period: '1d' }))).param).toBe('entity_kind');
    expect((await failure(gov.client.createBudget({ entityKind: 'key', entityId: 'vk_nope', limitMicros: 1n, period: '1d' }))).kind).toBe('not_found');
    expect((await failure(gov.client.createBudget({ entityKind: 'team', entityId: 't', limitMicros: 1n, period: '2d' }))).param).toBe('period');
    expect((await failure(gov.client.createBudget({ entityKind: 'team', entityId: 't', limitMicros: -1n, period: '1d' }))).param).toBe('limit_micros');
    expect((await failure(gov.client.createRateLimit({ entityKind: 'team', entityId: 't', unit: 'bytes', limit: 1n, period: '1d' }))).param).toBe('unit');
    expect((await failure(gov.client.updateBudget({ id: 'bud_missing', limitMicros: 1n }))).kind).toBe('not_found');
    expect((await failure(gov.client.deleteRateLimit({ id: 'rl_missing' }))).kind).toBe('not_found');
  });

  it('writes usage events to the ledger once each (redeliveries and repeats are ignored) and answers spend and usage', async () => {
    await bus.ensureStream({ name: 'USAGE', subjects: [SUBJECTS.usageSettled] });
    const window = Date.UTC(2026, 0, 5);
    const charge = (micros: bigint) => [{ $typeName: 'switchyard.governance.v1.BudgetCharge' as const, budgetId: 'bud_x', windowStartMs: BigInt(window), costMicros: micros }];
    const a = usageEvent({ eventId: 'ev-a', requestId: 'r1', keyId: 'vk_1', teamId: 'team_1', name: 'openai/gpt-4o', promptTokens: 10n, completionTokens: 5n, costMicros: 300n, charges: charge(300n) });
    const b = usageEvent({ eventId: 'ev-b', requestId: 'r2', keyId: 'vk_1', kind: 'tool', name: 'fs-read_file', costMicros: 1000n, charges: charge(1000n) });
    await bus.publishDurable(SUBJECTS.usageSettled, a, { msgId: 'ev-a' });
    await bus.publishDurable(SUBJECTS.usageSettled, b, { msgId: 'ev-b' });
    // The same event again under another message id: JetStream keeps it, the ledger must not.
    await bus.publishDurable(SUBJECTS.usageSettled, a, { msgId: 'ev-a-again' });
    await waitFor(async () => (await gov.client.getBudgetSpend({ windows: [{ budgetId: 'bud_x', windowStartMs: BigInt(window) }] })).spentMicros[0] === 1300n, { timeoutMs: 5000, intervalMs: 50 });
    const spend = await gov.client.getBudgetSpend({ windows: [{ budgetId: 'bud_x', windowStartMs: BigInt(window) }, { budgetId: 'bud_x', windowStartMs: 0n }] });
    expect(spend.spentMicros).toEqual([1300n, 0n]);

    const usage = await gov.client.queryUsage({ entityKind: 'key', entityId: 'vk_1' });
    expect(usage.rows.map((r) => [r.kind, r.name, r.requests, r.promptTokens, r.completionTokens, r.costMicros])).toEqual([
      ['model', 'openai/gpt-4o', 1n, 10n, 5n, 300n],
      ['tool', 'fs-read_file', 1n, 0n, 0n, 1000n],
    ]);
    const team = await gov.client.queryUsage({ entityKind: 'team', entityId: 'team_1' });
    expect(team.rows.map((r) => [r.name, r.costMicros])).toEqual([['openai/gpt-4o', 300n]]);
    const past = await gov.client.queryUsage({ entityKind: 'key', entityId: 'vk_1', until: timestampFromDate(new Date(Date.now() - 2 * 3_600_000)) });
    expect(past.rows).toEqual([]);
  });
});
