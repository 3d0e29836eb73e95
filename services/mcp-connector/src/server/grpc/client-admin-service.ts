import { SwitchyardError } from '@switchyard/errors';
import type { Histogram, Logger } from '@switchyard/obs';
import { implementService, instrumentHandler, mcpadmin, timestampFromDate, type ServiceBinding } from '@switchyard/proto';
import type { ClientRegistry, ClientView } from '../../domain/client-registry.js';

export interface ClientAdminServiceDeps {
  registry: ClientRegistry;
  logger: Logger;
  rpcSeconds: Histogram<'rpc' | 'outcome'>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One client as the wire carries it (the config as JSON, secrets already redacted). */
function toWire(view: ClientView) {
  return {
    name: view.config.name,
    config: encoder.encode(JSON.stringify(view.config)),
    source: view.source,
    state: view.status.state,
    toolCount: view.status.toolCount,
    protocolEra: view.status.era ?? '',
    tools: view.tools,
    ...(view.createdAt ? { createdAt: timestampFromDate(view.createdAt) } : {}),
    ...(view.updatedAt ? { updatedAt: timestampFromDate(view.updatedAt) } : {}),
  };
}

function parseJson(bytes: Uint8Array, param: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch {
    throw new SwitchyardError('invalid_argument', `${param} is not valid JSON`, { param });
  }
}

function nameOf(request: { name: string }): string {
  if (!request.name) throw new SwitchyardError('invalid_argument', 'name is required', { param: 'name' });
  return request.name;
}

/** McpClientAdminService: the API-managed client configs (edge's /api/mcp/clients). */
export function clientAdminServiceBinding(deps: ClientAdminServiceDeps): ServiceBinding {
  const { registry } = deps;
  const S = mcpadmin.McpClientAdminService;
  return {
    service: S,
    implementation: implementService(S, {
      listClientConfigs: instrumentHandler('ListClientConfigs', async () => ({ clients: (await registry.list()).map(toWire) }), deps),
      getClientConfig: instrumentHandler('GetClientConfig', async (req) => ({ client: toWire(await registry.get(nameOf(req))) }), deps),
      createClientConfig: instrumentHandler('CreateClientConfig', async (req) => ({ client: toWire(await registry.create(parseJson(req.config, 'config'))) }), deps),
      updateClientConfig: instrumentHandler('UpdateClientConfig', async (req) => ({ client: toWire(await registry.update(nameOf(req), parseJson(req.patch, 'patch'))) }), deps),
      deleteClientConfig: instrumentHandler('DeleteClientConfig', async (req) => {
        await registry.remove(nameOf(req));
        return {};
      }, deps),
      reconnectClient: instrumentHandler('ReconnectClient', async (req) => ({ client: toWire(await registry.reconnect(nameOf(req))) }), deps),
    }),
  };
}
