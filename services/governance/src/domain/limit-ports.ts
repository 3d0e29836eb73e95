import type { BudgetRecord, EntityRef, LimitPatch, RateLimitRecord, UsageFilter, UsageRecord, UsageRow } from './limits.js';

/** Budgets and rate limits in storage. */
export interface LimitStore {
  insertBudget(record: BudgetRecord): Promise<void>;
  listBudgets(entity: Partial<EntityRef>): Promise<BudgetRecord[]>;
  updateBudget(id: string, patch: LimitPatch, at: Date): Promise<BudgetRecord | undefined>;
  deleteBudget(id: string): Promise<BudgetRecord | undefined>;
  insertRateLimit(record: RateLimitRecord): Promise<void>;
  listRateLimits(entity: Partial<EntityRef>): Promise<RateLimitRecord[]>;
  updateRateLimit(id: string, patch: LimitPatch, at: Date): Promise<RateLimitRecord | undefined>;
  deleteRateLimit(id: string): Promise<RateLimitRecord | undefined>;
  /** Every budget and rate limit on any of these entities (two queries). */
  forEntities(refs: readonly EntityRef[]): Promise<{ budgets: BudgetRecord[]; rateLimits: RateLimitRecord[] }>;
}

/** The usage ledger: settled calls, spend per budget window, rollups. */
export interface UsageLedger {
  /** Records the calls not recorded yet (by event id) in one transaction; returns how many were new. */
  record(records: readonly UsageRecord[]): Promise<number>;
  spent(windows: readonly { budgetId: string; windowStartMs: number }[]): Promise<number[]>;
  query(filter: UsageFilter): Promise<UsageRow[]>;
}

/** Whether an entity exists (budgets and rate limits may only hang on live ones). */
export interface EntityDirectory {
  exists(ref: EntityRef): Promise<boolean>;
  /** The key's hash, so a change to its limits drops exactly its cache entry on edge. */
  keyHash(keyId: string): Promise<string | undefined>;
}
