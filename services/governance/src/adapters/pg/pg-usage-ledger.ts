import { sql, type Kysely } from 'kysely';
import type { EntityRef, UsageFilter, UsageLedger, UsageRecord, UsageRow } from '../../domain/index.js';
import type { GovernanceTables } from './schema.js';

const HOUR = 3_600_000;

interface Sum {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

function entitiesOf(r: UsageRecord): EntityRef[] {
  const refs: EntityRef[] = [{ kind: 'key', id: r.keyId }];
  if (r.teamId) refs.push({ kind: 'team', id: r.teamId });
  if (r.customerId) refs.push({ kind: 'customer', id: r.customerId });
  return refs;
}

/**
 * The usage ledger in Postgres. A batch is one transaction: the events are inserted
 * with `on conflict do nothing` (a redelivered event is a no-op), and only the new
 * ones are added to the budget windows and the hourly rollups, aggregated first so
 * each upsert touches a row once.
 */
export class PgUsageLedger implements UsageLedger {
  constructor(private readonly db: Kysely<GovernanceTables>) {}

  async record(records: readonly UsageRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    return this.db.transaction().execute(async (tx) => {
      const inserted = await tx.insertInto('usage_events').values(records.map((r) => ({
        event_id: r.eventId, request_id: r.requestId, time: r.time, key_id: r.keyId, team_id: r.teamId ?? null, customer_id: r.customerId ?? null,
        kind: r.kind, name: r.name, prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, cost_micros: r.costMicros,
      }))).onConflict((oc) => oc.column('event_id').doNothing()).returning('event_id').execute();
      const fresh = new Set(inserted.map((r) => r.event_id));
      const spend = new Map<string, { budgetId: string; windowStartMs: number; micros: number }>();
      const rollups = new Map<string, { ref: EntityRef; bucket: number; kind: string; name: string; sum: Sum }>();
      for (const r of records) {
        if (!fresh.delete(r.eventId)) continue; // already recorded, or a repeat inside this batch
        for (const c of r.charges) {
          const k = `${c.budgetId}@${c.windowStartMs}`;
          const s = spend.get(k) ?? spend.set(k, { budgetId: c.budgetId, windowStartMs: c.windowStartMs, micros: 0 }).get(k)!;
          s.micros += c.costMicros;
        }
        const bucket = Math.floor(r.time.getTime() / HOUR) * HOUR;
        for (const ref of entitiesOf(r)) {
          const k = `${ref.kind}\0${ref.id}\0${bucket}\0${r.kind}\0${r.name}`;
          const row = rollups.get(k) ?? rollups.set(k, { ref, bucket, kind: r.kind, name: r.name, sum: { requests: 0, promptTokens: 0, completionTokens: 0, costMicros: 0 } }).get(k)!;
          row.sum.requests += 1;
          row.sum.promptTokens += r.promptTokens;
          row.sum.completionTokens += r.completionTokens;
          row.sum.costMicros += r.costMicros;
        }
      }
      if (spend.size > 0) {
        await tx.insertInto('budget_spend')
          .values([...spend.values()].map((s) => ({ budget_id: s.budgetId, window_start: new Date(s.windowStartMs), spent_micros: s.micros })))
          .onConflict((oc) => oc.columns(['budget_id', 'window_start']).doUpdateSet({ spent_micros: sql`budget_spend.spent_micros + excluded.spent_micros` }))
          .execute();
      }
      if (rollups.size > 0) {
        await tx.insertInto('usage_rollups')
          .values([...rollups.values()].map((r) => ({
            entity_kind: r.ref.kind, entity_id: r.ref.id, bucket: new Date(r.bucket), kind: r.kind, name: r.name,
            requests: r.sum.requests, prompt_tokens: r.sum.promptTokens, completion_tokens: r.sum.completionTokens, cost_micros: r.sum.costMicros,
          })))
          .onConflict((oc) => oc.columns(['entity_kind', 'entity_id', 'bucket', 'kind', 'name']).doUpdateSet({
            requests: sql`usage_rollups.requests + excluded.requests`,
            prompt_tokens: sql`usage_rollups.prompt_tokens + excluded.prompt_tokens`,
            completion_tokens: sql`usage_rollups.completion_tokens + excluded.completion_tokens`,
            cost_micros: sql`usage_rollups.cost_micros + excluded.cost_micros`,
          }))
          .execute();
      }
      return inserted.length;
    });
  }

  async spent(windows: readonly { budgetId: string; windowStartMs: number }[]): Promise<number[]> {
    if (windows.length === 0) return [];
    const rows = await this.db.selectFrom('budget_spend').select(['budget_id', 'window_start', 'spent_micros'])
      .where((eb) => eb.or(windows.map((w) => eb.and([eb('budget_id', '=', w.budgetId), eb('window_start', '=', new Date(w.windowStartMs))]))))
      .execute();
    const found = new Map(rows.map((r) => [`${r.budget_id}@${r.window_start.getTime()}`, Number(r.spent_micros)]));
    return windows.map((w) => found.get(`${w.budgetId}@${w.windowStartMs}`) ?? 0);
  }

  async query(filter: UsageFilter): Promise<UsageRow[]> {
    let q = this.db.selectFrom('usage_rollups').select([
      'entity_kind', 'entity_id', 'kind', 'name',
      sql<string>`sum(requests)`.as('requests'),
      sql<string>`sum(prompt_tokens)`.as('prompt_tokens'),
      sql<string>`sum(completion_tokens)`.as('completion_tokens'),
      sql<string>`sum(cost_micros)`.as('cost_micros'),
    ]);
    if (filter.entityKind !== undefined) q = q.where('entity_kind', '=', filter.entityKind);
    if (filter.entityId !== undefined) q = q.where('entity_id', '=', filter.entityId);
    // Hour buckets overlapping [since, until).
    if (filter.since !== undefined) q = q.where('bucket', '>', new Date(filter.since.getTime() - HOUR));
    if (filter.until !== undefined) q = q.where('bucket', '<', filter.until);
    const rows = await q.groupBy(['entity_kind', 'entity_id', 'kind', 'name']).orderBy('entity_kind').orderBy('entity_id').orderBy('kind').orderBy('name').limit(10_000).execute();
    return rows.map((r) => ({
      entityKind: r.entity_kind, entityId: r.entity_id, kind: r.kind, name: r.name,
      requests: Number(r.requests), promptTokens: Number(r.prompt_tokens), completionTokens: Number(r.completion_tokens), costMicros: Number(r.cost_micros),
    }));
  }
}
