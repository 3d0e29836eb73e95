import type { HttpBindings } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { microsToUsd, usdToMicros, type Counters, type Limits } from '@switchyard/limits';
import type { BudgetView, LimitsAdmin, RateLimitView } from '../../domain/limits-admin.js';
import { parseWith } from './validation.js';

type AdminEnv = { Bindings: HttpBindings };

const period = z.enum(['1m', '1h', '1d', '1w', '1M', '1Y'], { error: 'must be one of 1m, 1h, 1d, 1w, 1M, 1Y' });
const entityKind = z.enum(['key', 'team', 'customer'], { error: "must be 'key', 'team' or 'customer'" });
const entityId = z.string().trim().min(1, 'must be a non-empty string').max(128);
const usd = z.number({ error: 'must be a number of USD' }).min(0, 'must not be negative').max(1e9, 'must be at most 1e9 USD');
const count = z.number({ error: 'must be an integer' }).int('must be an integer').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER);
const DATE_TIME = 'expected an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z';
const isoDateTime = z.iso.datetime({ offset: true, error: DATE_TIME }).transform((s) => new Date(s));
const nonEmpty = (b: object): boolean => Object.values(b).some((v) => v !== undefined);

export const createBudgetBody = z.object({ entity_kind: entityKind, entity_id: entityId, max_limit: usd, reset_duration: period }).strict();
export const updateBudgetBody = z.object({ max_limit: usd.optional(), reset_duration: period.optional() }).strict()
  .refine(nonEmpty, { message: 'nothing to update: send max_limit or reset_duration' });
export const createRateLimitBody = z.object({
  entity_kind: entityKind, entity_id: entityId, unit: z.enum(['requests', 'tokens'], { error: "must be 'requests' or 'tokens'" }), max_limit: count, reset_duration: period,
}).strict();
export const updateRateLimitBody = z.object({ max_limit: count.optional(), reset_duration: period.optional() }).strict()
  .refine(nonEmpty, { message: 'nothing to update: send max_limit or reset_duration' });
export const entityQuery = z.object({ entity_kind: entityKind.optional(), entity_id: entityId.optional() }).strict()
  .refine((q) => q.entity_id === undefined || q.entity_kind !== undefined, { message: 'entity_id needs entity_kind', path: ['entity_kind'] });
export const usageQuery = z.object({ entity_kind: entityKind.optional(), entity_id: entityId.optional(), since: isoDateTime.optional(), until: isoDateTime.optional() }).strict()
  .refine((q) => q.entity_id === undefined || q.entity_kind !== undefined, { message: 'entity_id needs entity_kind', path: ['entity_kind'] });

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export interface LimitsAdminDeps {
  limitsAdmin: LimitsAdmin;
  counters: Counters;
  jsonBody(c: Context<AdminEnv>): Promise<unknown>;
}

/** Current window usage of each budget and rate limit, from the counters (the ledger where a counter is missing). */
async function withUsage(counters: Counters, budgets: readonly BudgetView[], rateLimits: readonly RateLimitView[]) {
  const limits: Limits = { budgets, rateLimits };
  const values = await counters.values(limits);
  const b = budgets.map((budget, i) => {
    const v = values[i]!;
    return {
      id: budget.id, entity_kind: budget.entityKind, entity_id: budget.entityId,
      max_limit: microsToUsd(budget.limitMicros), reset_duration: budget.period,
      current_usage: microsToUsd(v.used), remaining: microsToUsd(Math.max(0, budget.limitMicros - v.used)),
      window_start: new Date(v.entry.window.startMs).toISOString(), resets_at: new Date(v.entry.window.endMs).toISOString(),
      created_at: iso(budget.createdAt), updated_at: iso(budget.updatedAt),
    };
  });
  const r = rateLimits.map((rl, i) => {
    const v = values[budgets.length + i]!;
    return {
      id: rl.id, entity_kind: rl.entityKind, entity_id: rl.entityId, unit: rl.unit,
      max_limit: rl.limit, reset_duration: rl.period, current_usage: v.used, remaining: Math.max(0, rl.limit - v.used),
      window_start: new Date(v.entry.window.startMs).toISOString(), resets_at: new Date(v.entry.window.endMs).toISOString(),
      created_at: iso(rl.createdAt), updated_at: iso(rl.updatedAt),
    };
  });
  return { budgets: b, rateLimits: r };
}

/**
 * `/api/budgets`, `/api/rate-limits` and `/api/usage` (mounted under the admin auth).
 * Money is USD in the API (micro-USD inside); field names follow Bifrost's
 * (`max_limit`, `reset_duration`). Each budget and rate limit shows its current
 * window's usage, what remains, and when it resets.
 */
export function limitsAdminRoutes(api: Hono<AdminEnv>, deps: LimitsAdminDeps): void {
  const { limitsAdmin: admin, counters } = deps;
  const one = async (b: BudgetView) => (await withUsage(counters, [b], [])).budgets[0];
  const oneRl = async (r: RateLimitView) => (await withUsage(counters, [], [r])).rateLimits[0];

  api.post('/budgets', async (c) => {
    const body = parseWith(createBudgetBody, await deps.jsonBody(c));
    const budget = await admin.createBudget({ entityKind: body.entity_kind, entityId: body.entity_id, limitMicros: usdToMicros(body.max_limit), period: body.reset_duration });
    return c.json(await one(budget), 201);
  });
  api.get('/budgets', async (c) => {
    const q = parseWith(entityQuery, c.req.query());
    const list = await admin.listBudgets({ entityKind: q.entity_kind, entityId: q.entity_id });
    return c.json({ data: (await withUsage(counters, list, [])).budgets });
  });
  api.patch('/budgets/:id', async (c) => {
    const body = parseWith(updateBudgetBody, await deps.jsonBody(c));
    const budget = await admin.updateBudget(c.req.param('id'), { limitMicros: body.max_limit === undefined ? undefined : usdToMicros(body.max_limit), period: body.reset_duration });
    return c.json(await one(budget));
  });
  api.delete('/budgets/:id', async (c) => {
    await admin.deleteBudget(c.req.param('id'));
    return c.body(null, 204);
  });

  api.post('/rate-limits', async (c) => {
    const body = parseWith(createRateLimitBody, await deps.jsonBody(c));
    const rl = await admin.createRateLimit({ entityKind: body.entity_kind, entityId: body.entity_id, unit: body.unit, limit: body.max_limit, period: body.reset_duration });
    return c.json(await oneRl(rl), 201);
  });
  api.get('/rate-limits', async (c) => {
    const q = parseWith(entityQuery, c.req.query());
    const list = await admin.listRateLimits({ entityKind: q.entity_kind, entityId: q.entity_id });
    return c.json({ data: (await withUsage(counters, [], list)).rateLimits });
  });
  api.patch('/rate-limits/:id', async (c) => {
    const body = parseWith(updateRateLimitBody, await deps.jsonBody(c));
    return c.json(await oneRl(await admin.updateRateLimit(c.req.param('id'), { limit: body.max_limit, period: body.reset_duration })));
  });
  api.delete('/rate-limits/:id', async (c) => {
    await admin.deleteRateLimit(c.req.param('id'));
    return c.body(null, 204);
  });

  api.get('/usage', async (c) => {
    const q = parseWith(usageQuery, c.req.query());
    const filter = { entityKind: q.entity_kind, entityId: q.entity_id };
    const [rows, budgets, rateLimits] = await Promise.all([
      admin.usage({ ...filter, since: q.since, until: q.until }),
      q.entity_id === undefined ? Promise.resolve([]) : admin.listBudgets(filter),
      q.entity_id === undefined ? Promise.resolve([]) : admin.listRateLimits(filter),
    ]);
    const live = await withUsage(counters, budgets, rateLimits);
    return c.json({
      data: rows.map((r) => ({
        entity_kind: r.entityKind, entity_id: r.entityId, kind: r.kind, name: r.name, requests: r.requests,
        prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, cost: microsToUsd(r.costMicros),
      })),
      budgets: live.budgets,
      rate_limits: live.rateLimits,
    });
  });
}
