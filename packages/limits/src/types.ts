// The governance contract between governance (which stores and resolves policy), edge
// (which caches it per key and enforces it) and the counters (Redis or in-memory).
// Money is integer micro-dollars (1 USD = 1_000_000) so that counters stay exact.

/** Reset periods of budgets and rate-limit windows: 1 minute ... 1 year (1M and 1Y are calendar months and years, UTC). */
export type Period = '1m' | '1h' | '1d' | '1w' | '1M' | '1Y';

export const PERIODS: readonly Period[] = ['1m', '1h', '1d', '1w', '1M', '1Y'];

/** The entities policy hangs on, from the narrowest up. */
export type EntityKind = 'key' | 'team' | 'customer';

/** One budget that applies to a request: a spend limit per period on one entity of its chain. */
export interface BudgetSpec {
  readonly id: string;
  readonly entityKind: EntityKind;
  readonly entityId: string;
  /** Spend limit per period, micro-USD. */
  readonly limitMicros: number;
  readonly period: Period;
}

/** One rate limit that applies to a request: requests or tokens per window on one entity of its chain. */
export interface RateLimitSpec {
  readonly id: string;
  readonly entityKind: EntityKind;
  readonly entityId: string;
  readonly unit: 'requests' | 'tokens';
  readonly limit: number;
  readonly period: Period;
}

/**
 * MCP tools a caller may see and run, before the client config and request headers
 * narrow it further. `unrestricted`: every tool the client configs expose. Otherwise
 * only the listed tools, per client name; a tool list containing '*' means every tool
 * of that client; a client missing from the map is denied.
 */
export type ToolScope =
  | { readonly unrestricted: true }
  | { readonly unrestricted: false; readonly tools: ReadonlyMap<string, readonly string[]> };

/** What a request must fit before it runs, resolved up its key → team → customer chain. */
export interface Limits {
  readonly budgets: readonly BudgetSpec[];
  readonly rateLimits: readonly RateLimitSpec[];
}
