import { randomBytes } from 'node:crypto';
import { windowOf, type Window } from './periods.js';
import type { BudgetSpec, Limits, RateLimitSpec } from './types.js';

/**
 * Counters reserve a request's estimated charge against every budget and rate limit of
 * its chain at once (all or nothing), then settle the actual charge. A driver (Redis
 * with one Lua script, or process memory) makes each step atomic; this class holds the
 * logic both share: which counters, the ledger rebuild, what a denial says.
 */

export type CounterKind = 'budget' | 'requests' | 'tokens';

/** One counter a request touches: a budget or rate limit in its current window. */
export interface CounterEntry {
  readonly kind: CounterKind;
  /** Without the store's prefix: `b:<budget id>:<window start>` (`r:` requests, `t:` tokens). */
  readonly key: string;
  readonly limit: number;
  /** What this request reserves on it (micro-USD, 1 request, or tokens). */
  readonly amount: number;
  readonly window: Window;
  readonly spec: BudgetSpec | RateLimitSpec;
}

/** What a request is expected to cost, reserved before it runs. */
export interface Charge {
  readonly costMicros: number;
  /** Tokens: counted against token rate limits (0 for a tool call). */
  readonly tokens: number;
  /** Model calls count against token rate limits; tool calls do not. */
  readonly llm: boolean;
}

export interface ReservedEntry extends CounterEntry {
  /** The counter's generation when reserved: a different one at settle means it was rebuilt. */
  readonly generation: string;
}

export interface Reservation {
  readonly entries: readonly ReservedEntry[];
  readonly charge: Charge;
}

export type Denial =
  | { readonly reason: 'budget_exceeded'; readonly budget: BudgetSpec; readonly usedMicros: number; readonly resetsAtMs: number }
  | { readonly reason: 'rate_limited'; readonly rateLimit: RateLimitSpec; readonly retryAfterMs: number };

export type ReserveResult = { readonly ok: true; readonly reservation: Reservation } | { readonly ok: false; readonly denial: Denial };

/** What a settlement charged to each budget window: the usage event carries it to the ledger. */
export interface BudgetCharge {
  readonly budgetId: string;
  readonly windowStartMs: number;
  readonly costMicros: number;
}

/** Spend already recorded in Postgres (the usage ledger), read when a budget counter is missing. */
export interface LedgerSource {
  /** Micro-USD spent per (budget, window start), in order; 0 where nothing is recorded. */
  spent(windows: readonly { budgetId: string; windowStartMs: number }[]): Promise<number[]>;
}

/** The atomic primitives a counter store provides. */
export interface CounterDriver {
  /**
   * Checks every entry in order and reserves all of them, or none. A budget counter that
   * does not exist is reported as `seed` unless `seeds` gives its starting value.
   */
  reserve(entries: readonly CounterEntry[], generation: string, seeds: readonly (number | undefined)[] | undefined, nowMs: number): Promise<DriverReserve>;
  /** Per counter: add `delta` if its generation is still `generation`, else `full`; skip a missing counter. */
  adjust(items: readonly Adjustment[]): Promise<void>;
  /** Current values; undefined where the counter does not exist. */
  read(keys: readonly string[], nowMs: number): Promise<(number | undefined)[]>;
}

export type DriverReserve =
  | { readonly kind: 'ok'; readonly generations: readonly string[] }
  | { readonly kind: 'seed'; readonly missing: readonly number[] }
  | { readonly kind: 'denied'; readonly index: number; readonly current: number };

export interface Adjustment {
  readonly key: string;
  readonly generation: string;
  readonly delta: number;
  readonly full: number;
}

/** A settled counter outlives its window by this much, so late settlements still find it. */
export const SETTLE_MARGIN_MS = 15 * 60_000;

/** The counters a request touches: budgets first (in chain order), then rate limits. */
export function planEntries(limits: Limits, charge: Charge, nowMs: number): CounterEntry[] {
  const entries: CounterEntry[] = [];
  for (const b of limits.budgets) {
    const window = windowOf(b.period, nowMs);
    entries.push({ kind: 'budget', key: `b:${b.id}:${window.startMs}`, limit: b.limitMicros, amount: charge.costMicros, window, spec: b });
  }
  for (const r of limits.rateLimits) {
    if (r.unit === 'tokens' && !charge.llm) continue;
    const window = windowOf(r.period, nowMs);
    const kind: CounterKind = r.unit;
    entries.push({ kind, key: `${kind === 'requests' ? 'r' : 't'}:${r.id}:${window.startMs}`, limit: r.limit, amount: kind === 'requests' ? 1 : charge.tokens, window, spec: r });
  }
  return entries;
}

/** A counter admits a request while it is under its limit and the amount fits. */
export function fits(current: number, amount: number, limit: number): boolean {
  return current < limit && current + amount <= limit;
}

export function hasLimits(limits: Limits | undefined): boolean {
  return limits !== undefined && (limits.budgets.length > 0 || limits.rateLimits.length > 0);
}

function denialOf(entry: CounterEntry, current: number, nowMs: number): Denial {
  if (entry.kind === 'budget') return { reason: 'budget_exceeded', budget: entry.spec as BudgetSpec, usedMicros: current, resetsAtMs: entry.window.endMs };
  return { reason: 'rate_limited', rateLimit: entry.spec as RateLimitSpec, retryAfterMs: Math.max(1, entry.window.endMs - nowMs) };
}

/** What a settlement at `costMicros` charges to each budget window of the reservation. */
export function chargesOf(reservation: Reservation, costMicros: number): BudgetCharge[] {
  const charges: BudgetCharge[] = [];
  for (const e of reservation.entries) {
    if (e.kind === 'budget') charges.push({ budgetId: e.spec.id, windowStartMs: e.window.startMs, costMicros });
  }
  return charges;
}

export interface CountersOptions {
  readonly driver: CounterDriver;
  /** Where missing budget counters are rebuilt from; absent: they start at 0. */
  readonly ledger?: LedgerSource | undefined;
  readonly now?: () => number;
}

export interface CounterValue {
  readonly entry: CounterEntry;
  /** Current value (0 when the counter does not exist yet). */
  readonly used: number;
}

export class Counters {
  readonly #driver: CounterDriver;
  readonly #ledger: LedgerSource | undefined;
  readonly #now: () => number;

  constructor(options: CountersOptions) {
    this.#driver = options.driver;
    this.#ledger = options.ledger;
    this.#now = options.now ?? Date.now;
  }

  now(): number {
    return this.#now();
  }

  /** One driver call when every counter exists; a ledger read and a second call when a budget counter is missing. */
  async reserve(limits: Limits, charge: Charge): Promise<ReserveResult> {
    const nowMs = this.#now();
    const entries = planEntries(limits, charge, nowMs);
    if (entries.length === 0) return { ok: true, reservation: { charge, entries: [] } };
    const generation = randomBytes(6).toString('base64url');
    let result = await this.#driver.reserve(entries, generation, undefined, nowMs);
    if (result.kind === 'seed') {
      const seeds = await this.#seeds(entries, result.missing);
      result = await this.#driver.reserve(entries, generation, seeds, nowMs);
    }
    if (result.kind === 'seed') throw new Error('counter seeding did not converge');
    if (result.kind === 'denied') return { ok: false, denial: denialOf(entries[result.index]!, result.current, nowMs) };
    const generations = result.generations;
    return { ok: true, reservation: { charge, entries: entries.map((e, i) => ({ ...e, generation: generations[i]! })) } };
  }

  async #seeds(entries: readonly CounterEntry[], missing: readonly number[]): Promise<(number | undefined)[]> {
    const seeds: (number | undefined)[] = entries.map(() => undefined);
    const windows = missing.map((i) => ({ budgetId: entries[i]!.spec.id, windowStartMs: entries[i]!.window.startMs }));
    const spent = this.#ledger ? await this.#ledger.spent(windows) : windows.map(() => 0);
    missing.forEach((i, n) => { seeds[i] = spent[n] ?? 0; });
    return seeds;
  }

  /**
   * Replaces the reserved estimate by the actual charge (a refund or a top-up) and
   * returns what each budget window was charged. Request counters keep their count.
   */
  async settle(reservation: Reservation, actual: { costMicros: number; tokens: number }): Promise<BudgetCharge[]> {
    const items: Adjustment[] = [];
    for (const e of reservation.entries) {
      if (e.kind === 'requests') continue;
      const full = e.kind === 'budget' ? actual.costMicros : actual.tokens;
      items.push({ key: e.key, generation: e.generation, delta: full - e.amount, full });
    }
    if (items.some((i) => i.delta !== 0 || i.full !== 0)) await this.#driver.adjust(items);
    return chargesOf(reservation, actual.costMicros);
  }

  /** Gives back the whole estimate (the call failed before costing anything). */
  release(reservation: Reservation): Promise<BudgetCharge[]> {
    return this.settle(reservation, { costMicros: 0, tokens: 0 });
  }

  /** The current value of every counter of these limits (admin views); a missing budget counter reads the ledger. */
  async values(limits: Limits): Promise<CounterValue[]> {
    const nowMs = this.#now();
    const entries = planEntries(limits, { costMicros: 0, tokens: 0, llm: true }, nowMs);
    const values = await this.#driver.read(entries.map((e) => e.key), nowMs);
    const missing = entries.flatMap((e, i) => (e.kind === 'budget' && values[i] === undefined ? [i] : []));
    if (missing.length > 0 && this.#ledger) {
      const spent = await this.#ledger.spent(missing.map((i) => ({ budgetId: entries[i]!.spec.id, windowStartMs: entries[i]!.window.startMs })));
      missing.forEach((i, n) => { values[i] = spent[n]; });
    }
    return entries.map((entry, i) => ({ entry, used: values[i] ?? 0 }));
  }
}
