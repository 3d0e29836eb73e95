import type { BudgetSpec, EntityKind, Limits, Period, RateLimitSpec } from '@switchyard/limits';

export interface BudgetRecord extends BudgetSpec {
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface RateLimitRecord extends RateLimitSpec {
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The entities a request is charged to, narrowest first: its key, the key's team, the customer above. */
export interface EntityChain {
  readonly keyId: string;
  readonly teamId?: string | undefined;
  readonly customerId?: string | undefined;
}

export interface EntityRef {
  readonly kind: EntityKind;
  readonly id: string;
}

/** The chain as entity references, in charge order (key, team, customer); absent links are skipped. */
export function chainRefs(chain: EntityChain): EntityRef[] {
  const refs: EntityRef[] = [{ kind: 'key', id: chain.keyId }];
  if (chain.teamId) refs.push({ kind: 'team', id: chain.teamId });
  if (chain.customerId) refs.push({ kind: 'customer', id: chain.customerId });
  return refs;
}

const ORDER: Record<EntityKind, number> = { key: 0, team: 1, customer: 2 };

/** Budgets and rate limits of a chain in charge order: by entity (key, team, customer), then as created. */
export function orderLimits<B extends BudgetSpec, R extends RateLimitSpec>(budgets: readonly B[], rateLimits: readonly R[]): Limits & { budgets: B[]; rateLimits: R[] } {
  const byEntity = <T extends { entityKind: EntityKind }>(a: T, b: T): number => ORDER[a.entityKind] - ORDER[b.entityKind];
  return { budgets: [...budgets].sort(byEntity), rateLimits: [...rateLimits].sort(byEntity) };
}

export interface NewBudget {
  entityKind: string;
  entityId: string;
  limitMicros: number;
  period: string;
}

export interface NewRateLimit {
  entityKind: string;
  entityId: string;
  unit: string;
  limit: number;
  period: string;
}

export interface LimitPatch {
  limit?: number;
  period?: Period;
}

/** One settled model or tool call, as the usage ledger stores it. */
export interface UsageRecord {
  readonly eventId: string;
  readonly requestId: string;
  readonly time: Date;
  readonly keyId: string;
  readonly teamId: string | undefined;
  readonly customerId: string | undefined;
  readonly kind: 'model' | 'tool';
  readonly name: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly costMicros: number;
  readonly charges: readonly { budgetId: string; windowStartMs: number; costMicros: number }[];
}

export interface UsageFilter {
  entityKind?: EntityKind | undefined;
  entityId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

export interface UsageRow {
  entityKind: string;
  entityId: string;
  kind: string;
  name: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}
