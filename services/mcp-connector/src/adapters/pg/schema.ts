import type { ColumnType } from 'kysely';

/** `mcp_clients`: one row per API-managed client; `config` holds ciphertext for secrets. */
export interface McpClientsTable {
  name: string;
  config: ColumnType<Record<string, unknown>, string, string>;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

export interface McpConnectorTables {
  mcp_clients: McpClientsTable;
}
