import { SwitchyardError } from '@switchyard/errors';
import type { Logger } from '@switchyard/obs';
import {
  chargesOf, estimateChat, hasLimits, microsToUsd, tokenCostMicros,
  type BudgetCharge, type Counters, type Denial, type EstimateOptions, type PriceTable, type Reservation,
} from '@switchyard/limits';
import type { ChatRequest } from './chat-request.js';
import type { Principal, RouteOutcome } from './types.js';

/** One settled model or tool call, as the usage event carries it to governance's ledger. */
export interface UsageRecord {
  readonly eventId: string;
  readonly requestId: string;
  readonly timeMs: number;
  readonly keyId: string;
  readonly teamId: string;
  readonly customerId: string;
  readonly kind: 'model' | 'tool';
  readonly name: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly costMicros: number;
  readonly charges: readonly BudgetCharge[];
}

/** Never blocks and never throws (a bounded buffer in front of JetStream). */
export interface UsageSink {
  recordUsage(record: UsageRecord): void;
}

export type ReservationOutcome = 'admitted' | 'budget_exceeded' | 'rate_limited' | 'error';

export interface LimitsMetrics {
  reservation(outcome: ReservationOutcome): void;
  /** Seconds from the end of a call to its settlement in the counters. */
  settled(seconds: number, ok: boolean): void;
  unpriced(kind: 'model'): void;
}

export interface LimitsGateDeps {
  counters: Counters;
  prices: PriceTable;
  estimate: EstimateOptions;
  usage: UsageSink;
  metrics: LimitsMetrics;
  logger: Logger;
}

/** A reservation held by one call, until it settles. */
export interface Ticket {
  readonly reservation: Reservation;
}

/** The ids of one call's usage event: `eventId` is unique per settlement. */
export interface CallIds {
  readonly eventId: string;
  readonly requestId: string;
}

function periodText(period: string): string {
  return { '1m': 'minute', '1h': 'hour', '1d': 'day', '1w': 'week', '1M': 'month', '1Y': 'year' }[period] ?? period;
}

/** A denial as the error the client sees: 429 `budget_exceeded`, or 429 `rate_limited` with retry-after. */
export function denialError(denial: Denial): SwitchyardError {
  if (denial.reason === 'budget_exceeded') {
    const b = denial.budget;
    return new SwitchyardError(
      'budget_exceeded',
      `budget exceeded: the ${b.entityKind} budget ${b.id} (${microsToUsd(b.limitMicros)} USD per ${periodText(b.period)}) is used up until ${new Date(denial.resetsAtMs).toISOString()}`,
      { code: 'budget_exceeded' },
    );
  }
  const r = denial.rateLimit;
  const seconds = Math.ceil(denial.retryAfterMs / 1000);
  return new SwitchyardError('rate_limited', `rate limit reached: ${r.limit} ${r.unit} per ${periodText(r.period)} on ${r.entityKind} ${r.entityId}; retry in ${seconds} s`, {
    code: 'rate_limited',
    retryAfterSeconds: seconds,
  });
}

/**
 * Budgets and rate limits on the request paths. A principal without limits costs
 * nothing here but its usage event; one with limits costs one counter round trip
 * before the call (`reserve*`) and one after the response (`settle*`, not awaited by
 * the request). The counter store failing fails the request closed (503
 * `limits_unavailable`); a settlement failing is logged and counted, and its usage event
 * still reaches the ledger (from which a lost counter is rebuilt).
 */
export class LimitsGate {
  constructor(private readonly deps: LimitsGateDeps) {}

  /** Whether this principal has anything to reserve against. */
  static applies(principal: Principal): boolean {
    return hasLimits(principal.limits);
  }

  /** Reserves the upper estimate of one model call; resolves undefined when the principal has no limits. */
  async reserveModel(principal: Principal, chat: ChatRequest, bodyBytes: number): Promise<Ticket | undefined> {
    if (!hasLimits(principal.limits)) return undefined;
    const estimate = estimateChat(chat, bodyBytes, this.#price(chat.model), this.deps.estimate);
    return this.#reserve(principal, { costMicros: estimate.costMicros, tokens: estimate.tokens, llm: true });
  }

  /** Reserves a tool call's price (and one request). */
  async reserveTool(principal: Principal, priceMicros: number): Promise<Ticket | undefined> {
    if (!hasLimits(principal.limits)) return undefined;
    return this.#reserve(principal, { costMicros: priceMicros, tokens: 0, llm: false });
  }

  async #reserve(principal: Principal, charge: { costMicros: number; tokens: number; llm: boolean }): Promise<Ticket> {
    let result;
    try {
      result = await this.deps.counters.reserve(principal.limits!, charge);
    } catch (err) {
      this.deps.metrics.reservation('error');
      throw new SwitchyardError('unavailable', 'budget and rate-limit counters are unavailable', { code: 'limits_unavailable', cause: err });
    }
    if (!result.ok) {
      this.deps.metrics.reservation(result.denial.reason);
      throw denialError(result.denial);
    }
    this.deps.metrics.reservation('admitted');
    return { reservation: result.reservation };
  }

  /**
   * Settles one model call. `served`: the provider answered (usage from `outcome`, or
   * the reserved estimate when a stream ended without usage); otherwise the reservation
   * is released and nothing is recorded.
   */
  settleModel(principal: Principal, ticket: Ticket | undefined, ids: CallIds, model: string, outcome: RouteOutcome | undefined, served: boolean): void {
    if (!served) {
      if (ticket) this.#adjust(ticket, 0, 0);
      return;
    }
    const usage = outcome?.usage;
    const name = outcome === undefined ? model : outcome.model.includes('/') ? outcome.model : `${outcome.provider}/${outcome.model}`;
    let prompt = 0;
    let completion = 0;
    let cost: number;
    if (usage) {
      prompt = Number(usage.promptTokens);
      completion = Number(usage.completionTokens);
      cost = tokenCostMicros(this.deps.prices.lookup(name) ?? this.#price(model), prompt, completion);
    } else {
      // No usage reported: keep what was reserved (the provider may have billed it).
      cost = ticket?.reservation.charge.costMicros ?? 0;
      prompt = 0;
      completion = ticket?.reservation.charge.tokens ?? 0;
    }
    const charges = ticket ? this.#adjust(ticket, cost, prompt + completion) : [];
    this.#record(principal, ids, 'model', name, prompt, completion, cost, charges);
  }

  /** Settles one tool call: charged its price when it ran, released when it failed. */
  settleTool(principal: Principal, ticket: Ticket | undefined, ids: CallIds, tool: string, priceMicros: number, ok: boolean): void {
    if (!ok) {
      if (ticket) this.#adjust(ticket, 0, 0);
      return;
    }
    const charges = ticket ? this.#adjust(ticket, priceMicros, 0) : [];
    this.#record(principal, ids, 'tool', tool, 0, 0, priceMicros, charges);
  }

  #price(model: string) {
    const price = this.deps.prices.lookup(model);
    if (price === undefined) this.deps.metrics.unpriced('model');
    return price;
  }

  #adjust(ticket: Ticket, costMicros: number, tokens: number): BudgetCharge[] {
    const started = performance.now();
    this.deps.counters.settle(ticket.reservation, { costMicros, tokens }).then(
      () => this.deps.metrics.settled((performance.now() - started) / 1000, true),
      (err: unknown) => {
        this.deps.metrics.settled((performance.now() - started) / 1000, false);
        this.deps.logger.warn({ err }, 'limits.settle_failed');
      },
    );
    return chargesOf(ticket.reservation, costMicros);
  }

  #record(principal: Principal, ids: CallIds, kind: 'model' | 'tool', name: string, prompt: number, completion: number, cost: number, charges: readonly BudgetCharge[]): void {
    if (principal.keyId === '') return;
    this.deps.usage.recordUsage({
      eventId: ids.eventId, requestId: ids.requestId, timeMs: Date.now(),
      keyId: principal.keyId, teamId: principal.teamId ?? '', customerId: principal.customerId ?? '',
      kind, name, promptTokens: prompt, completionTokens: completion, costMicros: cost, charges,
    });
  }
}
