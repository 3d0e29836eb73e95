import { sql, type Kysely } from 'kysely';
import type { Migration } from '@switchyard/db';

/**
 * Customers > teams > virtual keys, the key's provider allow-list and MCP tool
 * allow-list, and tool groups with their attachments. A key belongs to at most one
 * team or one customer (a check constraint, so no writer can break it). Keys made
 * before this migration keep working: every provider (`{*}`) and no tool allow-list
 * of their own (`mcp_tools` null: unrestricted while no group reaches them).
 */
export const customersTeamsGroups: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('customers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
      .execute();
    await sql`create index customers_created on customers (created_at, id)`.execute(db);

    await db.schema
      .createTable('teams')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('customer_id', 'text', (c) => c.references('customers.id').onDelete('set null'))
      .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
      .execute();
    await sql`create index teams_created on teams (created_at, id)`.execute(db);
    await sql`create index teams_customer on teams (customer_id) where customer_id is not null`.execute(db);

    await db.schema
      .alterTable('virtual_keys')
      .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('set null'))
      .addColumn('customer_id', 'text', (c) => c.references('customers.id').onDelete('set null'))
      .addColumn('allowed_providers', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{*}'::text[]`))
      .addColumn('mcp_tools', 'jsonb')
      .execute();
    await sql`alter table virtual_keys add constraint virtual_keys_one_owner check (team_id is null or customer_id is null)`.execute(db);
    await sql`create index virtual_keys_team on virtual_keys (team_id) where team_id is not null`.execute(db);
    await sql`create index virtual_keys_customer on virtual_keys (customer_id) where customer_id is not null`.execute(db);

    await db.schema
      .createTable('tool_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('enabled', 'boolean', (c) => c.notNull())
      // [{"client": "...", "tools": ["...", "*"]}]
      .addColumn('tools', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
      .execute();
    await sql`create index tool_groups_created on tool_groups (created_at, id)`.execute(db);

    await db.schema
      .createTable('tool_group_attachments')
      .addColumn('group_id', 'text', (c) => c.notNull().references('tool_groups.id').onDelete('cascade'))
      .addColumn('entity_kind', 'text', (c) => c.notNull().check(sql`entity_kind in ('key', 'team', 'customer')`))
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
      .addPrimaryKeyConstraint('tool_group_attachments_pk', ['group_id', 'entity_kind', 'entity_id'])
      .execute();
    await sql`create index tool_group_attachments_entity on tool_group_attachments (entity_kind, entity_id)`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('tool_group_attachments').execute();
    await db.schema.dropTable('tool_groups').execute();
    await sql`alter table virtual_keys drop constraint virtual_keys_one_owner`.execute(db);
    await db.schema.alterTable('virtual_keys').dropColumn('team_id').dropColumn('customer_id').dropColumn('allowed_providers').dropColumn('mcp_tools').execute();
    await db.schema.dropTable('teams').execute();
    await db.schema.dropTable('customers').execute();
  },
};
