import { timestampDate, timestampFromDate, type governance, type UnaryHandler } from '@switchyard/proto';
import { validateEntity, type BudgetRecord, type LimitsService, type RateLimitRecord, type UsageLedger } from '../../domain/index.js';

export function toWireBudget(b: BudgetRecord): governance.Budget {
  return {
    $typeName: 'switchyard.governance.v1.Budget',
    id: b.id, entityKind: b.entityKind, entityId: b.entityId, limitMicros: BigInt(b.limitMicros), period: b.period,
    createdAt: timestampFromDate(b.createdAt), updatedAt: timestampFromDate(b.updatedAt),
  };
}

export function toWireRateLimit(r: RateLimitRecord): governance.RateLimit {
  return {
    $typeName: 'switchyard.governance.v1.RateLimit',
    id: r.id, entityKind: r.entityKind, entityId: r.entityId, unit: r.unit, limit: BigInt(r.limit), period: r.period,
    createdAt: timestampFromDate(r.createdAt), updatedAt: timestampFromDate(r.updatedAt),
  };
}

/** Budget and rate-limit CRUD, the ledger's spend per window (counter rebuilds) and usage queries. */
export function limitHandlers(limits: LimitsService, ledger: UsageLedger) {
  const createBudget: UnaryHandler<typeof governance.CreateBudgetRequestSchema, typeof governance.CreateBudgetResponseSchema> = async (req) =>
    ({ budget: toWireBudget(await limits.createBudget({ entityKind: req.entityKind, entityId: req.entityId, limitMicros: Number(req.limitMicros), period: req.period })) });
  const listBudgets: UnaryHandler<typeof governance.ListBudgetsRequestSchema, typeof governance.ListBudgetsResponseSchema> = async (req) =>
    ({ budgets: (await limits.listBudgets(req.entityKind, req.entityId)).map(toWireBudget) });
  const updateBudget: UnaryHandler<typeof governance.UpdateBudgetRequestSchema, typeof governance.UpdateBudgetResponseSchema> = async (req) =>
    ({ budget: toWireBudget(await limits.updateBudget(req.id, { limitMicros: req.limitMicros === undefined ? undefined : Number(req.limitMicros), period: req.period })) });
  const deleteBudget: UnaryHandler<typeof governance.DeleteBudgetRequestSchema, typeof governance.DeleteBudgetResponseSchema> = async (req) => {
    await limits.deleteBudget(req.id);
    return {};
  };
  const createRateLimit: UnaryHandler<typeof governance.CreateRateLimitRequestSchema, typeof governance.CreateRateLimitResponseSchema> = async (req) =>
    ({ rateLimit: toWireRateLimit(await limits.createRateLimit({ entityKind: req.entityKind, entityId: req.entityId, unit: req.unit, limit: Number(req.limit), period: req.period })) });
  const listRateLimits: UnaryHandler<typeof governance.ListRateLimitsRequestSchema, typeof governance.ListRateLimitsResponseSchema> = async (req) =>
    ({ rateLimits: (await limits.listRateLimits(req.entityKind, req.entityId)).map(toWireRateLimit) });
  const updateRateLimit: UnaryHandler<typeof governance.UpdateRateLimitRequestSchema, typeof governance.UpdateRateLimitResponseSchema> = async (req) =>
    ({ rateLimit: toWireRateLimit(await limits.updateRateLimit(req.id, { limit: req.limit === undefined ? undefined : Number(req.limit), period: req.period })) });
  const deleteRateLimit: UnaryHandler<typeof governance.DeleteRateLimitRequestSchema, typeof governance.DeleteRateLimitResponseSchema> = async (req) => {
    await limits.deleteRateLimit(req.id);
    return {};
  };
  const getBudgetSpend: UnaryHandler<typeof governance.GetBudgetSpendRequestSchema, typeof governance.GetBudgetSpendResponseSchema> = async (req) => {
    const spent = await ledger.spent(req.windows.map((w) => ({ budgetId: w.budgetId, windowStartMs: Number(w.windowStartMs) })));
    return { spentMicros: spent.map(BigInt) };
  };
  const queryUsage: UnaryHandler<typeof governance.QueryUsageRequestSchema, typeof governance.QueryUsageResponseSchema> = async (req) => {
    const rows = await ledger.query({
      entityKind: req.entityKind === '' ? undefined : validateEntity(req.entityKind, req.entityId || '-').kind,
      entityId: req.entityId || undefined,
      since: req.since ? timestampDate(req.since) : undefined,
      until: req.until ? timestampDate(req.until) : undefined,
    });
    return {
      rows: rows.map((r) => ({
        entityKind: r.entityKind, entityId: r.entityId, kind: r.kind, name: r.name,
        requests: BigInt(r.requests), promptTokens: BigInt(r.promptTokens), completionTokens: BigInt(r.completionTokens), costMicros: BigInt(r.costMicros),
      })),
    };
  };
  return { createBudget, listBudgets, updateBudget, deleteBudget, createRateLimit, listRateLimits, updateRateLimit, deleteRateLimit, getBudgetSpend, queryUsage };
}
