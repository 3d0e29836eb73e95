import { createLogger } from '@switchyard/obs';
import { Counters, MemoryCounterDriver, PriceTable } from '@switchyard/limits';
import { LimitsGate, type LimitsMetrics, type UsageRecord } from '../src/domain/limits-gate.js';

/** A LimitsGate over in-memory counters that keeps its usage events and metric calls. */
export function testLimitsGate(options: { now?: () => number; prices?: Record<string, { input: number; output: number }> } = {}) {
  const usage: UsageRecord[] = [];
  const outcomes: string[] = [];
  const metrics: LimitsMetrics = { reservation: (o) => outcomes.push(o), settled: () => undefined, unpriced: () => undefined };
  const counters = new Counters({ driver: new MemoryCounterDriver(), ...(options.now ? { now: options.now } : {}) });
  const gate = new LimitsGate({
    counters,
    prices: new PriceTable(options.prices ?? {}),
    estimate: { defaultMaxTokens: 100, promptBytesPerToken: 4 },
    usage: { recordUsage: (r) => usage.push(r) },
    metrics,
    logger: createLogger({ service: 'edge-test', level: 'silent' }),
  });
  return { gate, counters, usage, outcomes };
}
