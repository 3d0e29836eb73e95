import { Registry, collectDefaultMetrics, Counter, Histogram, Gauge } from 'prom-client';

export { Registry, Counter, Histogram, Gauge } from 'prom-client';

/** Latency buckets in seconds, fine-grained below 10 ms where gateway overhead lives. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface MetricsOptions {
  service: string;
  /** Collect Node process metrics (on by default; off when several services share one process). */
  defaultMetrics?: boolean;
}

/** One registry per app, so several services in one process (and tests) never collide. */
export function createRegistry(options: MetricsOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'switchyard_' });
  return registry;
}

/** The Prometheus text exposition of several registries (the all-in-one process serves them together). */
export async function metricsText(registries: readonly Registry[]): Promise<{ contentType: string; body: string }> {
  // Registry.merge drops each registry's default labels, so concatenate the expositions;
  // metric names never repeat across services (only one registry collects process metrics).
  const bodies = await Promise.all(registries.map((r) => r.metrics()));
  return { contentType: registries[0]?.contentType ?? 'text/plain; version=0.0.4; charset=utf-8', body: bodies.join('\n') };
}

export function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function histogram<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[] = [], buckets = LATENCY_BUCKETS): Histogram<L> {
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

export function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return new Gauge({ name, help, labelNames, registers: [registry] });
}
