import { SwitchyardError } from '@switchyard/errors';
import type { EntityKind, Period } from '@switchyard/limits';
import { timestampDate, timestampFromDate, type governance, type ServiceClient } from '@switchyard/proto';
import type { BudgetView, EntityFilter, LimitsAdmin, RateLimitView, UsageQuery, UsageRowView } from '../../domain/limits-admin.js';

type GovernanceClient = ServiceClient<typeof governance.GovernanceService>;
const TIMEOUT = { timeoutMs: 10_000 };

function budgetView(b: governance.Budget | undefined): BudgetView {
  if (!b) throw new SwitchyardError('internal', 'governance returned no budget');
  return {
    id: b.id, entityKind: b.entityKind as EntityKind, entityId: b.entityId, limitMicros: Number(b.limitMicros), period: b.period as Period,
    createdAt: b.createdAt ? timestampDate(b.createdAt) : null, updatedAt: b.updatedAt ? timestampDate(b.updatedAt) : null,
  };
}

function rateLimitView(r: governance.RateLimit | undefined): RateLimitView {
  if (!r) throw new SwitchyardError('internal', 'governance returned no rate limit');
  return {
    id: r.id, entityKind: r.entityKind as EntityKind, entityId: r.entityId, unit: r.unit === 'tokens' ? 'tokens' : 'requests', limit: Number(r.limit), period: r.period as Period,
    createdAt: r.createdAt ? timestampDate(r.createdAt) : null, updatedAt: r.updatedAt ? timestampDate(r.updatedAt) : null,
  };
}

const filterOf = (f: EntityFilter) => ({ entityKind: f.entityKind ?? '', entityId: f.entityId ?? '' });

/** LimitsAdmin over governance's gRPC API. */
export class GrpcLimitsAdmin implements LimitsAdmin {
  constructor(private readonly client: GovernanceClient) {}

  async createBudget(input: { entityKind: EntityKind; entityId: string; limitMicros: number; period: Period }): Promise<BudgetView> {
    return budgetView((await this.client.createBudget({ ...input, limitMicros: BigInt(input.limitMicros) }, TIMEOUT)).budget);
  }

  async listBudgets(filter: EntityFilter): Promise<BudgetView[]> {
    return (await this.client.listBudgets(filterOf(filter), TIMEOUT)).budgets.map(budgetView);
  }

  async updateBudget(id: string, patch: { limitMicros?: number | undefined; period?: Period | undefined }): Promise<BudgetView> {
    return budgetView((await this.client.updateBudget({ id, ...(patch.limitMicros !== undefined ? { limitMicros: BigInt(patch.limitMicros) } : {}), ...(patch.period ? { period: patch.period } : {}) }, TIMEOUT)).budget);
  }

  async deleteBudget(id: string): Promise<void> {
    await this.client.deleteBudget({ id }, TIMEOUT);
  }

  async createRateLimit(input: { entityKind: EntityKind; entityId: string; unit: 'requests' | 'tokens'; limit: number; period: Period }): Promise<RateLimitView> {
    return rateLimitView((await this.client.createRateLimit({ ...input, limit: BigInt(input.limit) }, TIMEOUT)).rateLimit);
  }

  async listRateLimits(filter: EntityFilter): Promise<RateLimitView[]> {
    return (await this.client.listRateLimits(filterOf(filter), TIMEOUT)).rateLimits.map(rateLimitView);
  }

  async updateRateLimit(id: string, patch: { limit?: number | undefined; period?: Period | undefined }): Promise<RateLimitView> {
    return rateLimitView((await this.client.updateRateLimit({ id, ...(patch.limit !== undefined ? { limit: BigInt(patch.limit) } : {}), ...(patch.period ? { period: patch.period } : {}) }, TIMEOUT)).rateLimit);
  }

  async deleteRateLimit(id: string): Promise<void> {
    await this.client.deleteRateLimit({ id }, TIMEOUT);
  }

  async usage(query: UsageQuery): Promise<UsageRowView[]> {
    const res = await this.client.queryUsage({
      ...filterOf(query),
      ...(query.since ? { since: timestampFromDate(query.since) } : {}),
      ...(query.until ? { until: timestampFromDate(query.until) } : {}),
    }, TIMEOUT);
    return res.rows.map((r) => ({
      entityKind: r.entityKind, entityId: r.entityId, kind: r.kind, name: r.name,
      requests: Number(r.requests), promptTokens: Number(r.promptTokens), completionTokens: Number(r.completionTokens), costMicros: Number(r.costMicros),
    }));
  }
}
