import { Gauge, histogram, type Histogram, type Registry } from '@switchyard/obs';
import type { ClientStatus } from './domain/connector.js';

export interface McpConnectorMetrics {
  rpcSeconds: Histogram<'rpc' | 'outcome'>;
}

const STATES = ['connecting', 'connected', 'unstable', 'disconnected', 'reconnecting', 'needs_auth', 'disabled'] as const;

/** RPC latency, and one gauge per client and state (1 for the current state) read at scrape time. */
export function createMetrics(registry: Registry, clients: () => ClientStatus[]): McpConnectorMetrics {
  new Gauge({
    name: 'switchyard_mcp_client_state',
    help: 'MCP client health: 1 for the state each client is in.',
    labelNames: ['client', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of clients()) for (const s of STATES) this.set({ client: c.name, state: s }, c.state === s ? 1 : 0);
    },
  });
  return {
    rpcSeconds: histogram(registry, 'switchyard_mcp_connector_rpc_seconds', 'McpConnectorService call latency by RPC and outcome (ok or error kind).', ['rpc', 'outcome']),
  };
}
