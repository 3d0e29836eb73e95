import { sql, type Kysely } from 'kysely';
import type { Migration } from '@switchyard/db';

/**
 * Virtual keys. Times are `timestamptz(3)`: millisecond precision, the same as a JS
 * Date, so a list cursor built from a row names that row exactly.
 */
export const virtualKeys: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('virtual_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('key_prefix', 'text', (c) => c.notNull())
      .addColumn('enabled', 'boolean', (c) => c.notNull())
      .addColumn('expires_at', sql`timestamptz(3)`)
      .addColumn('allowed_models', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
      .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('deleted_at', sql`timestamptz(3)`)
      .execute();
    // List pages walk live keys by (created_at, id).
    await sql`create index virtual_keys_live_created on virtual_keys (created_at, id) where deleted_at is null`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('virtual_keys').execute();
  },
};
