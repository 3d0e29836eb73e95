import type { UnaryHandler, mcpconnector } from '@switchyard/proto';
import type { CatalogEntry, McpConnector } from '../../domain/connector.js';
import { encodeJson } from './json.js';

const item = (e: CatalogEntry): { client: string; name: string; upstreamName: string; definition: Uint8Array } =>
  ({ client: e.client, name: e.name, upstreamName: e.upstreamName, definition: encodeJson(e.definition) });

/** Resources, resource templates and prompts of serving clients, definitions untouched. */
export function listCatalog(connector: McpConnector): UnaryHandler<typeof mcpconnector.ListCatalogRequestSchema, typeof mcpconnector.ListCatalogResponseSchema> {
  return async (request) => {
    const c = connector.listCatalog(request.clients);
    return { resources: c.resources.map(item), resourceTemplates: c.resourceTemplates.map(item), prompts: c.prompts.map(item), catalogVersion: c.catalogVersion };
  };
}
