import type { Histogram, Logger } from '@switchyard/obs';
import { implementService, instrumentHandler, mcpconnector, type ServiceBinding } from '@switchyard/proto';
import type { McpConnector } from '../../domain/connector.js';
import { callTool } from './call-tool.js';
import { listClients } from './list-clients.js';
import { listTools } from './list-tools.js';

export interface McpConnectorServiceDeps {
  connector: McpConnector;
  logger: Logger;
  rpcSeconds: Histogram<'rpc' | 'outcome'>;
}


/** McpConnectorService, one file per RPC. */
export function mcpConnectorServiceBinding(deps: McpConnectorServiceDeps): ServiceBinding {
  const { connector } = deps;
  return {
    service: mcpconnector.McpConnectorService,
    implementation: implementService(mcpconnector.McpConnectorService, {
      listTools: instrumentHandler('ListTools', listTools(connector), deps),
      callTool: instrumentHandler('CallTool', callTool(connector), deps),
      listClients: instrumentHandler('ListClients', listClients(connector), deps),
    }),
  };
}
