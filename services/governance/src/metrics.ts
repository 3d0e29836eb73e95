import { Gauge, counter, histogram, type Counter, type Histogram, type Registry } from '@switchyard/obs';

export interface GovernanceMetrics {
  rpcSeconds: Histogram<'rpc' | 'outcome'>;
  policyEvents: Counter<'kind' | 'outcome'>;
  usageEvents: Counter<'outcome'>;
}

/** The service's metrics on its registry. `countKeys` feeds the keys gauge at scrape time. */
export function createMetrics(registry: Registry, countKeys: () => Promise<number | undefined>): GovernanceMetrics {
  new Gauge({
    name: 'switchyard_governance_keys',
    help: 'Live (not deleted) virtual keys.',
    registers: [registry],
    async collect() {
      // A scrape must not fail because the database is briefly away: keep the last value.
      const n = await countKeys().catch(() => undefined);
      if (n !== undefined) this.set(n);
    },
  });
  return {
    rpcSeconds: histogram(registry, 'switchyard_governance_rpc_seconds', 'GovernanceService call latency by RPC and outcome (ok or error kind).', ['rpc', 'outcome']),
    policyEvents: counter(registry, 'switchyard_governance_policy_events_total', 'PolicyChanged events by kind and outcome (published, failed).', ['kind', 'outcome']),
    usageEvents: counter(registry, 'switchyard_governance_usage_events_total', 'Usage events from the USAGE stream by outcome (recorded, duplicate, undecodable).', ['outcome']),
  };
}
