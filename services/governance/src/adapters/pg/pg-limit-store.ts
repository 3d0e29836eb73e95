import type { Kysely, Selectable, Updateable } from 'kysely';
import type { EntityKind, Period } from '@switchyard/limits';
import type { BudgetRecord, EntityRef, LimitPatch, LimitStore, RateLimitRecord } from '../../domain/index.js';
import type { BudgetsTable, GovernanceTables, RateLimitsTable } from './schema.js';

function toBudget(row: Selectable<BudgetsTable>): BudgetRecord {
  return {
    id: row.id, entityKind: row.entity_kind as EntityKind, entityId: row.entity_id,
    limitMicros: Number(row.limit_micros), period: row.period as Period,
    createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

function toRateLimit(row: Selectable<RateLimitsTable>): RateLimitRecord {
  return {
    id: row.id, entityKind: row.entity_kind as EntityKind, entityId: row.entity_id,
    unit: row.unit as 'requests' | 'tokens', limit: Number(row.limit), period: row.period as Period,
    createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

/** Budgets and rate limits in Postgres (or PGlite). */
export class PgLimitStore implements LimitStore {
  constructor(private readonly db: Kysely<GovernanceTables>) {}

  async insertBudget(r: BudgetRecord): Promise<void> {
    await this.db.insertInto('budgets').values({
      id: r.id, entity_kind: r.entityKind, entity_id: r.entityId, limit_micros: r.limitMicros, period: r.period, created_at: r.createdAt, updated_at: r.updatedAt,
    }).execute();
  }

  async listBudgets(entity: Partial<EntityRef>): Promise<BudgetRecord[]> {
    let q = this.db.selectFrom('budgets').selectAll();
    if (entity.kind !== undefined) q = q.where('entity_kind', '=', entity.kind);
    if (entity.id !== undefined) q = q.where('entity_id', '=', entity.id);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toBudget);
  }

  async updateBudget(id: string, patch: LimitPatch, at: Date): Promise<BudgetRecord | undefined> {
    const set: Updateable<BudgetsTable> = { updated_at: at };
    if (patch.limit !== undefined) set.limit_micros = patch.limit;
    if (patch.period !== undefined) set.period = patch.period;
    const row = await this.db.updateTable('budgets').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    return row && toBudget(row);
  }

  async deleteBudget(id: string): Promise<BudgetRecord | undefined> {
    const row = await this.db.deleteFrom('budgets').where('id', '=', id).returningAll().executeTakeFirst();
    return row && toBudget(row);
  }

  async insertRateLimit(r: RateLimitRecord): Promise<void> {
    await this.db.insertInto('rate_limits').values({
      id: r.id, entity_kind: r.entityKind, entity_id: r.entityId, unit: r.unit, limit: r.limit, period: r.period, created_at: r.createdAt, updated_at: r.updatedAt,
    }).execute();
  }

  async listRateLimits(entity: Partial<EntityRef>): Promise<RateLimitRecord[]> {
    let q = this.db.selectFrom('rate_limits').selectAll();
    if (entity.kind !== undefined) q = q.where('entity_kind', '=', entity.kind);
    if (entity.id !== undefined) q = q.where('entity_id', '=', entity.id);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toRateLimit);
  }

  async updateRateLimit(id: string, patch: LimitPatch, at: Date): Promise<RateLimitRecord | undefined> {
    const set: Updateable<RateLimitsTable> = { updated_at: at };
    if (patch.limit !== undefined) set.limit = patch.limit;
    if (patch.period !== undefined) set.period = patch.period;
    const row = await this.db.updateTable('rate_limits').set(set).where('id', '=', id).returningAll().executeTakeFirst();
    return row && toRateLimit(row);
  }

  async deleteRateLimit(id: string): Promise<RateLimitRecord | undefined> {
    const row = await this.db.deleteFrom('rate_limits').where('id', '=', id).returningAll().executeTakeFirst();
    return row && toRateLimit(row);
  }

  async forEntities(refs: readonly EntityRef[]): Promise<{ budgets: BudgetRecord[]; rateLimits: RateLimitRecord[] }> {
    if (refs.length === 0) return { budgets: [], rateLimits: [] };
    const tuples = refs.map((r) => [r.kind, r.id] as const);
    const [budgets, rateLimits] = await Promise.all([
      this.db.selectFrom('budgets').selectAll()
        .where((eb) => eb.or(tuples.map(([k, i]) => eb.and([eb('entity_kind', '=', k), eb('entity_id', '=', i)]))))
        .orderBy('created_at').orderBy('id').execute(),
      this.db.selectFrom('rate_limits').selectAll()
        .where((eb) => eb.or(tuples.map(([k, i]) => eb.and([eb('entity_kind', '=', k), eb('entity_id', '=', i)]))))
        .orderBy('created_at').orderBy('id').execute(),
    ]);
    return { budgets: budgets.map(toBudget), rateLimits: rateLimits.map(toRateLimit) };
  }
}
