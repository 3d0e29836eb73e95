import type { BudgetSpec, EntityKind, Period, RateLimitSpec } from '@switchyard/limits';

export interface BudgetView extends BudgetSpec {
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
}

export interface RateLimitView extends RateLimitSpec {
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
}

export interface EntityFilter {
  readonly entityKind?: EntityKind | undefined;
  readonly entityId?: string | undefined;
}

export interface UsageQuery extends EntityFilter {
  readonly since?: Date | undefined;
  readonly until?: Date | undefined;
}

export interface UsageRowView {
  readonly entityKind: string;
  readonly entityId: string;
  readonly kind: string;
  readonly name: string;
  readonly requests: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly costMicros: number;
}

/** Budget, rate-limit and usage administration (governance). */
export interface LimitsAdmin {
  createBudget(input: { entityKind: EntityKind; entityId: string; limitMicros: number; period: Period }): Promise<BudgetView>;
  listBudgets(filter: EntityFilter): Promise<BudgetView[]>;
  updateBudget(id: string, patch: { limitMicros?: number | undefined; period?: Period | undefined }): Promise<BudgetView>;
  deleteBudget(id: string): Promise<void>;
  createRateLimit(input: { entityKind: EntityKind; entityId: string; unit: 'requests' | 'tokens'; limit: number; period: Period }): Promise<RateLimitView>;
  listRateLimits(filter: EntityFilter): Promise<RateLimitView[]>;
  updateRateLimit(id: string, patch: { limit?: number | undefined; period?: Period | undefined }): Promise<RateLimitView>;
  deleteRateLimit(id: string): Promise<void>;
  usage(query: UsageQuery): Promise<UsageRowView[]>;
}
