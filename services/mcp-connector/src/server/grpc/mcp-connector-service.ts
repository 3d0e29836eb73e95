import type { Histogram, Logger } from '@switchyard/obs';
import { implementService, instrumentHandler, mcpconnector, type ServiceBinding } from '@switchyard/proto';
import type { McpConnector } from '../../domain/connector.js';
import { CallRelay } from '../../domain/relay.js';
import { RoutedRelay } from '../../domain/relay-routing.js';
import { callToolStream } from './call-tool-stream.js';
import { callTool } from './call-tool.js';
import { forward } from './forward.js';
import { listCatalog } from './list-catalog.js';
import { cancelCall, respondToUpstream } from './relay-rpcs.js';
import { listClients } from './list-clients.js';
import { listTools } from './list-tools.js';

export interface McpConnectorServiceDeps {
  connector: McpConnector;
  logger: Logger;
  rpcSeconds: Histogram<'rpc' | 'outcome'>;
  /** Calls in flight and relayed requests, routed to peer replicas (default: this replica alone). */
  relay?: RoutedRelay;
}


/** McpConnectorService, one file per RPC. */
export function mcpConnectorServiceBinding(deps: McpConnectorServiceDeps): ServiceBinding {
  const { connector } = deps;
  const relay = deps.relay ?? new RoutedRelay(new CallRelay());
  return {
    service: mcpconnector.McpConnectorService,
    implementation: implementService(mcpconnector.McpConnectorService, {
      listTools: instrumentHandler('ListTools', listTools(connector), deps),
      callTool: instrumentHandler('CallTool', callTool(connector, relay.local), deps),
      listClients: instrumentHandler('ListClients', listClients(connector), deps),
      listCatalog: instrumentHandler('ListCatalog', listCatalog(connector), deps),
      forward: instrumentHandler('Forward', forward(connector), deps),
      callToolStream: callToolStream(connector, relay.local),
      respondToUpstream: instrumentHandler('RespondToUpstream', respondToUpstream(relay), deps),
      cancelCall: instrumentHandler('CancelCall', cancelCall(relay), deps),
    }),
  };
}
