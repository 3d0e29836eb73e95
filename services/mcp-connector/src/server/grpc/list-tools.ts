import type { UnaryHandler, mcpconnector } from '@switchyard/proto';
import type { McpConnector } from '../../domain/connector.js';

const encoder = new TextEncoder();

/** The tools of serving clients that `tools_to_execute` allows, with their definitions as JSON. */
export function listTools(connector: McpConnector): UnaryHandler<typeof mcpconnector.ListToolsRequestSchema, typeof mcpconnector.ListToolsResponseSchema> {
  return async (request) => {
    const { tools, catalogVersion } = connector.listTools(request.clients);
    return {
      catalogVersion,
      tools: tools.map((t) => ({ name: t.name, client: t.client, upstreamName: t.upstreamName, definition: encoder.encode(JSON.stringify(t.definition)), autoExecute: t.autoExecute, priceMicros: BigInt(t.priceMicros) })),
    };
  };
}
