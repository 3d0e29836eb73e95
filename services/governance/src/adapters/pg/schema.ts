import type { ColumnType, JSONColumnType } from 'kysely';

/** Client name -> tool names, as stored in `virtual_keys.mcp_tools`. */
export type ToolAllowListJson = Record<string, string[]>;

/** `tool_groups.tools`. */
export type ToolGroupEntriesJson = { client: string; tools: string[] }[];

/** `virtual_keys`: one row per key ever created; deleted rows stay (soft delete) for audit. */
export interface VirtualKeysTable {
  id: string;
  name: string;
  /** SHA-256 of the secret, lowercase hex; unique. */
  key_hash: string;
  key_prefix: string;
  enabled: boolean;
  expires_at: Date | null;
  allowed_models: string[];
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
  deleted_at: Date | null;
  /** At most one of team_id and customer_id (check constraint). */
  team_id: string | null;
  customer_id: string | null;
  allowed_providers: ColumnType<string[], string[] | undefined, string[]>;
  /** Null: no allow-list of the key's own. */
  mcp_tools: JSONColumnType<ToolAllowListJson | null, string | null, string | null>;
}

export interface CustomersTable {
  id: string;
  name: string;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

export interface TeamsTable {
  id: string;
  name: string;
  customer_id: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

export interface ToolGroupsTable {
  id: string;
  slug: ColumnType<string, string, never>;
  name: string;
  description: string;
  enabled: boolean;
  tools: JSONColumnType<ToolGroupEntriesJson, string, string>;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

export interface ToolGroupAttachmentsTable {
  group_id: string;
  entity_kind: 'key' | 'team' | 'customer';
  entity_id: string;
  created_at: ColumnType<Date, Date, never>;
}

/** `bigint` columns: pg returns them as strings; any integer goes in. */
type Int8 = ColumnType<string, number | string | bigint, number | string | bigint>;

export interface BudgetsTable {
  id: string;
  entity_kind: string;
  entity_id: string;
  limit_micros: Int8;
  period: string;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

export interface RateLimitsTable {
  id: string;
  entity_kind: string;
  entity_id: string;
  unit: string;
  limit: Int8;
  period: string;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

export interface UsageEventsTable {
  event_id: string;
  request_id: string;
  time: Date;
  key_id: string;
  team_id: string | null;
  customer_id: string | null;
  kind: string;
  name: string;
  prompt_tokens: Int8;
  completion_tokens: Int8;
  cost_micros: Int8;
}

export interface BudgetSpendTable {
  budget_id: string;
  window_start: Date;
  spent_micros: Int8;
}

export interface UsageRollupsTable {
  entity_kind: string;
  entity_id: string;
  bucket: Date;
  kind: string;
  name: string;
  requests: Int8;
  prompt_tokens: Int8;
  completion_tokens: Int8;
  cost_micros: Int8;
}

/** The governance tables. */
export interface GovernanceTables {
  virtual_keys: VirtualKeysTable;
  customers: CustomersTable;
  teams: TeamsTable;
  tool_groups: ToolGroupsTable;
  tool_group_attachments: ToolGroupAttachmentsTable;
  budgets: BudgetsTable;
  rate_limits: RateLimitsTable;
  usage_events: UsageEventsTable;
  budget_spend: BudgetSpendTable;
  usage_rollups: UsageRollupsTable;
}
