import { SwitchyardError } from '@switchyard/errors';
import { isPeriod, type EntityKind, type Limits, type Period } from '@switchyard/limits';
import { ulid } from './ids.js';
import { chainRefs, orderLimits, type BudgetRecord, type EntityChain, type EntityRef, type LimitPatch, type NewBudget, type NewRateLimit, type RateLimitRecord } from './limits.js';
import type { EntityDirectory, LimitStore } from './limit-ports.js';
import type { PolicyPublisher } from './ports.js';

/** Larger than any real limit, small enough to stay exact in a double (Lua, JSON). */
export const MAX_LIMIT = 2 ** 53 - 1;
const ENTITY_KINDS: readonly EntityKind[] = ['key', 'team', 'customer'];

function invalid(param: string, message: string): SwitchyardError {
  return new SwitchyardError('invalid_argument', message, { param });
}

export function validateEntity(kind: string, id: string): EntityRef {
  if (!ENTITY_KINDS.includes(kind as EntityKind)) throw invalid('entity_kind', "entity_kind must be 'key', 'team' or 'customer'");
  if (id.length === 0 || id.length > 128) throw invalid('entity_id', 'entity_id must be 1..128 characters');
  return { kind: kind as EntityKind, id };
}

export function validatePeriod(period: string, param = 'period'): Period {
  if (!isPeriod(period)) throw invalid(param, `${param} must be one of 1m, 1h, 1d, 1w, 1M, 1Y`);
  return period;
}

export function validateLimit(limit: number, param: string): number {
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_LIMIT) throw invalid(param, `${param} must be a non-negative integer`);
  return limit;
}

function notFound(what: string, id: string): SwitchyardError {
  return new SwitchyardError('not_found', `no ${what} with id "${id}"`, { param: 'id' });
}

/**
 * Budgets and rate limits: admin use cases and the resolution of a request's limits up
 * its chain. Each change is followed by a PolicyChanged event: with the key's hash when
 * it hangs on a key (edge drops that entry), without one for a team or customer (edge
 * drops its whole cache: such changes are rare and reach many keys).
 */
export class LimitsService {
  constructor(private readonly deps: { store: LimitStore; entities: EntityDirectory; publisher: PolicyPublisher; now?: () => Date }) {}

  #now(): Date {
    return new Date((this.deps.now ?? (() => new Date()))().getTime());
  }

  /** The limits of a chain, key first. Composes with team/customer resolution: pass their ids when the key has them. */
  async resolve(chain: EntityChain): Promise<Limits & { budgets: BudgetRecord[]; rateLimits: RateLimitRecord[] }> {
    const { budgets, rateLimits } = await this.deps.store.forEntities(chainRefs(chain));
    return orderLimits(budgets, rateLimits);
  }

  async #mustExist(ref: EntityRef): Promise<void> {
    if (!(await this.deps.entities.exists(ref))) throw new SwitchyardError('not_found', `no ${ref.kind} with id "${ref.id}"`, { param: 'entity_id' });
  }

  async #changed(kind: 'budget' | 'rate_limit', id: string, ref: EntityRef): Promise<void> {
    const keyHash = ref.kind === 'key' ? await this.deps.entities.keyHash(ref.id) : undefined;
    this.deps.publisher.publish(keyHash ? { kind, id, keyHash } : { kind, id });
  }

  async createBudget(input: NewBudget): Promise<BudgetRecord> {
    const ref = validateEntity(input.entityKind, input.entityId);
    const record: BudgetRecord = {
      id: `bud_${ulid()}`, entityKind: ref.kind, entityId: ref.id,
      limitMicros: validateLimit(input.limitMicros, 'limit_micros'), period: validatePeriod(input.period),
      createdAt: this.#now(), updatedAt: this.#now(),
    };
    await this.#mustExist(ref);
    await this.deps.store.insertBudget(record);
    await this.#changed('budget', record.id, ref);
    return record;
  }

  listBudgets(kind: string, id: string): Promise<BudgetRecord[]> {
    return this.deps.store.listBudgets(kind === '' && id === '' ? {} : validateEntity(kind, id));
  }

  async updateBudget(id: string, patch: { limitMicros?: number | undefined; period?: string | undefined }): Promise<BudgetRecord> {
    const valid: LimitPatch = {};
    if (patch.limitMicros !== undefined) valid.limit = validateLimit(patch.limitMicros, 'limit_micros');
    if (patch.period !== undefined) valid.period = validatePeriod(patch.period);
    const record = await this.deps.store.updateBudget(id, valid, this.#now());
    if (!record) throw notFound('budget', id);
    await this.#changed('budget', id, { kind: record.entityKind, id: record.entityId });
    return record;
  }

  async deleteBudget(id: string): Promise<void> {
    const record = await this.deps.store.deleteBudget(id);
    if (!record) throw notFound('budget', id);
    await this.#changed('budget', id, { kind: record.entityKind, id: record.entityId });
  }

  async createRateLimit(input: NewRateLimit): Promise<RateLimitRecord> {
    const ref = validateEntity(input.entityKind, input.entityId);
    if (input.unit !== 'requests' && input.unit !== 'tokens') throw invalid('unit', "unit must be 'requests' or 'tokens'");
    const record: RateLimitRecord = {
      id: `rl_${ulid()}`, entityKind: ref.kind, entityId: ref.id, unit: input.unit,
      limit: validateLimit(input.limit, 'limit'), period: validatePeriod(input.period),
      createdAt: this.#now(), updatedAt: this.#now(),
    };
    await this.#mustExist(ref);
    await this.deps.store.insertRateLimit(record);
    await this.#changed('rate_limit', record.id, ref);
    return record;
  }

  listRateLimits(kind: string, id: string): Promise<RateLimitRecord[]> {
    return this.deps.store.listRateLimits(kind === '' && id === '' ? {} : validateEntity(kind, id));
  }

  async updateRateLimit(id: string, patch: { limit?: number | undefined; period?: string | undefined }): Promise<RateLimitRecord> {
    const valid: LimitPatch = {};
    if (patch.limit !== undefined) valid.limit = validateLimit(patch.limit, 'limit');
    if (patch.period !== undefined) valid.period = validatePeriod(patch.period);
    const record = await this.deps.store.updateRateLimit(id, valid, this.#now());
    if (!record) throw notFound('rate limit', id);
    await this.#changed('rate_limit', id, { kind: record.entityKind, id: record.entityId });
    return record;
  }

  async deleteRateLimit(id: string): Promise<void> {
    const record = await this.deps.store.deleteRateLimit(id);
    if (!record) throw notFound('rate limit', id);
    await this.#changed('rate_limit', id, { kind: record.entityKind, id: record.entityId });
  }
}
