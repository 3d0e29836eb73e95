import type { UnaryHandler, mcpconnector } from '@switchyard/proto';
import type { McpConnector } from '../../domain/connector.js';

/** Every configured client with its health state. */
export function listClients(connector: McpConnector): UnaryHandler<typeof mcpconnector.ListClientsRequestSchema, typeof mcpconnector.ListClientsResponseSchema> {
  return async () => ({
    clients: connector.listClients().map((c) => ({ name: c.name, state: c.state, toolCount: c.toolCount, protocolEra: c.era ?? '' })),
  });
}
