import { counter, Gauge, histogram, type Counter, type Histogram, type Registry } from '@switchyard/obs';
import type { ClientStatus } from './domain/connector.js';

export interface McpConnectorMetrics {
  rpcSeconds: Histogram<'rpc' | 'outcome'>;
  /** Calls that asked for a session lane and ran on the shared connection (reason: cap, connect_failed). */
  laneFallbacks: Counter<'client' | 'reason'>;
}

const STATES = ['connecting', 'connected', 'unstable', 'disconnected', 'reconnecting', 'needs_auth', 'disabled'] as const;

/** RPC latency, one gauge per client and state (1 for the current state) and the session lanes per client, read at scrape time. */
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
  new Gauge({
    name: 'switchyard_mcp_session_lanes',
    help: 'Session lanes (upstream connections of single downstream sessions) open or opening, per client.',
    labelNames: ['client'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of clients()) this.set({ client: c.name }, c.lanes);
    },
  });
  return {
    laneFallbacks: counter(registry, 'switchyard_mcp_session_lane_fallbacks_total', 'Calls that asked for a session lane but ran on the shared connection, by client and reason (cap, connect_failed).', ['client', 'reason']),
    rpcSeconds: histogram(registry, 'switchyard_mcp_connector_rpc_seconds', 'McpConnectorService call latency by RPC and outcome (ok or error kind).', ['rpc', 'outcome']),
  };
}
