import { sql, type Kysely } from 'kysely';
import type { Migration } from '@switchyard/db';

const ENTITY_KINDS = sql`('key', 'team', 'customer')`;
const PERIODS = sql`('1m', '1h', '1d', '1w', '1M', '1Y')`;

/**
 * Budgets and rate limits (several per entity, on keys, teams and customers), and the
 * usage ledger: one row per settled call (the idempotency key), spend per budget window
 * (what a lost Redis counter is rebuilt from), and hourly rollups per entity and per
 * model or tool. Money is integer micro-USD (`bigint`).
 */
export const budgetsRateLimitsUsage: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('budgets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('entity_kind', 'text', (c) => c.notNull().check(sql`entity_kind in ${ENTITY_KINDS}`))
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('limit_micros', 'bigint', (c) => c.notNull().check(sql`limit_micros >= 0`))
      .addColumn('period', 'text', (c) => c.notNull().check(sql`period in ${PERIODS}`))
      .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
      .execute();
    await sql`create index budgets_entity on budgets (entity_kind, entity_id, created_at)`.execute(db);

    await db.schema
      .createTable('rate_limits')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('entity_kind', 'text', (c) => c.notNull().check(sql`entity_kind in ${ENTITY_KINDS}`))
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('unit', 'text', (c) => c.notNull().check(sql`unit in ('requests', 'tokens')`))
      .addColumn('limit', 'bigint', (c) => c.notNull().check(sql`"limit" >= 0`))
      .addColumn('period', 'text', (c) => c.notNull().check(sql`period in ${PERIODS}`))
      .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
      .execute();
    await sql`create index rate_limits_entity on rate_limits (entity_kind, entity_id, created_at)`.execute(db);

    await db.schema
      .createTable('usage_events')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('time', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text')
      .addColumn('customer_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
      .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
      .addColumn('cost_micros', 'bigint', (c) => c.notNull())
      .execute();
    await sql`create index usage_events_time on usage_events (time)`.execute(db);

    await db.schema
      .createTable('budget_spend')
      .addColumn('budget_id', 'text', (c) => c.notNull())
      .addColumn('window_start', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('spent_micros', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('budget_spend_pk', ['budget_id', 'window_start'])
      .execute();

    await db.schema
      .createTable('usage_rollups')
      .addColumn('entity_kind', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('bucket', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('requests', 'bigint', (c) => c.notNull())
      .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
      .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
      .addColumn('cost_micros', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('usage_rollups_pk', ['entity_kind', 'entity_id', 'bucket', 'kind', 'name'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const t of ['usage_rollups', 'budget_spend', 'usage_events', 'rate_limits', 'budgets']) await db.schema.dropTable(t).execute();
  },
};
