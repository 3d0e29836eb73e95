import { counter, histogram, type Counter, type Histogram, type Registry } from '@switchyard/obs';
import type { CacheResult } from '../domain/policy-cache.js';
import type { LimitsMetrics, ReservationOutcome } from '../domain/limits-gate.js';
import type { Usage } from '../domain/types.js';

interface CounterChild { inc(value?: number): void }
interface HistogramChild { observe(value: number): void }

/** Request count and latency for one route, with the label children bound once. */
export class RouteRecorder {
  private readonly byStatus: (CounterChild | undefined)[] = [];
  private readonly seconds: HistogramChild;

  constructor(private readonly route: string, private readonly requests: Counter<'route' | 'status'>, duration: Histogram<'route'>) {
    this.seconds = duration.labels(route);
  }

  observe(status: number, seconds: number): void {
    let child = this.byStatus[status];
    if (child === undefined) {
      child = this.requests.labels(this.route, String(status));
      this.byStatus[status] = child;
    }
    child.inc();
    this.seconds.observe(seconds);
  }
}

/** The edge's metrics, on the app's registry. */
export class EdgeMetrics {
  private readonly requests: Counter<'route' | 'status'>;
  private readonly duration: Histogram<'route'>;
  private readonly routes = new Map<string, RouteRecorder>();
  private readonly promptTokens: CounterChild;
  private readonly completionTokens: CounterChild;
  private readonly cache: Record<CacheResult, CounterChild>;
  private readonly auditDropped: CounterChild;
  private readonly catalogErrors: CounterChild;
  private readonly toolCalls: Counter<'status'>;
  private readonly reservations: Record<ReservationOutcome, CounterChild>;
  private readonly settleSeconds: Record<'ok' | 'error', HistogramChild>;
  private readonly unpricedModels: CounterChild;
  private readonly usageDropped: CounterChild;

  constructor(registry: Registry) {
    this.requests = counter(registry, 'switchyard_http_requests_total', 'HTTP requests by route and status', ['route', 'status']);
    this.duration = histogram(registry, 'switchyard_http_request_seconds', 'HTTP request duration by route', ['route']);
    const tokens = counter(registry, 'switchyard_llm_tokens_total', 'LLM tokens by type', ['type']);
    this.promptTokens = tokens.labels('prompt');
    this.completionTokens = tokens.labels('completion');
    const cache = counter(registry, 'switchyard_edge_policy_cache_total', 'Policy cache lookups by result', ['result']);
    this.cache = { hit: cache.labels('hit'), miss: cache.labels('miss'), error: cache.labels('error') };
    this.auditDropped = counter(registry, 'switchyard_audit_dropped_total', 'Audit events dropped because the buffer was full');
    this.catalogErrors = counter(registry, 'switchyard_edge_mcp_catalog_errors_total', 'Failed MCP tool catalog fetches from mcp-connector');
    this.toolCalls = counter(registry, 'switchyard_edge_mcp_tool_calls_total', 'MCP tool calls executed through the edge, by HTTP status', ['status']);
    const reservations = counter(registry, 'switchyard_limits_reservations_total', 'Budget and rate-limit reservations by outcome (admitted, budget_exceeded, rate_limited, error: counter store unavailable)', ['outcome']);
    this.reservations = {
      admitted: reservations.labels('admitted'), budget_exceeded: reservations.labels('budget_exceeded'),
      rate_limited: reservations.labels('rate_limited'), error: reservations.labels('error'),
    };
    const settle = histogram(registry, 'switchyard_limits_settle_seconds', 'Time to settle a call in the counters after it ended, by result', ['result']);
    this.settleSeconds = { ok: settle.labels('ok'), error: settle.labels('error') };
    this.unpricedModels = counter(registry, 'switchyard_limits_unpriced_total', 'Model calls priced at 0 because the price table has no entry for the model');
    this.usageDropped = counter(registry, 'switchyard_usage_dropped_total', 'Usage events dropped because the buffer was full');
  }

  /** The metrics the limits gate reports to. */
  readonly limits: LimitsMetrics = {
    reservation: (outcome) => this.reservations[outcome].inc(),
    settled: (seconds, ok) => this.settleSeconds[ok ? 'ok' : 'error'].observe(seconds),
    unpriced: () => this.unpricedModels.inc(),
  };

  readonly usageDroppedBy = (count: number): void => {
    this.usageDropped.inc(count);
  };

  route(route: string): RouteRecorder {
    let recorder = this.routes.get(route);
    if (recorder === undefined) {
      recorder = new RouteRecorder(route, this.requests, this.duration);
      this.routes.set(route, recorder);
    }
    return recorder;
  }

  readonly policyCacheResult = (result: CacheResult): void => {
    this.cache[result].inc();
  };

  readonly auditDroppedBy = (count: number): void => {
    this.auditDropped.inc(count);
  };

  readonly mcpCatalogError = (): void => {
    this.catalogErrors.inc();
  };

  toolCall(status: number): void {
    this.toolCalls.labels(String(status)).inc();
  }

  tokens(usage: Usage | undefined): void {
    if (usage === undefined) return;
    if (usage.promptTokens > 0n) this.promptTokens.inc(Number(usage.promptTokens));
    if (usage.completionTokens > 0n) this.completionTokens.inc(Number(usage.completionTokens));
  }
}
