import { sql, type Kysely } from 'kysely';
import type { Migration } from '@switchyard/db';

/**
 * MCP client configs managed through the admin API. `config` is the validated config
 * JSON with every header value and stdio env value replaced by its AES-256-GCM
 * ciphertext (`v1:<key id>:…`); nothing secret is stored in clear.
 */
export const mcpClients: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('mcp_clients')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('config', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
      .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('mcp_clients').execute();
  },
};
