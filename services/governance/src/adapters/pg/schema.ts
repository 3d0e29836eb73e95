import type { ColumnType } from 'kysely';

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
}

/** The governance tables. Teams, customers, budgets, rate limits and tool groups join later. */
export interface GovernanceTables {
  virtual_keys: VirtualKeysTable;
}
