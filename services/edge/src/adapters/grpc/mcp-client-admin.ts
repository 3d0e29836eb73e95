import { SwitchyardError } from '@switchyard/errors';
import { timestampDate, type mcpadmin, type ServiceClient } from '@switchyard/proto';
import type { McpClientAdmin, McpClientView } from '../../domain/mcp-client-admin.js';

type AdminClient = ServiceClient<typeof mcpadmin.McpClientAdminService>;

/** Creating a stdio client waits for nothing upstream, but the database may be slow. */
const ADMIN_TIMEOUT_MS = 15_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toView(wire: mcpadmin.ClientConfigView | undefined): McpClientView {
  if (wire === undefined) throw new SwitchyardError('internal', 'mcp-connector answered without a client');
  return {
    name: wire.name,
    config: JSON.parse(decoder.decode(wire.config)) as Record<string, unknown>,
    source: wire.source,
    state: wire.state,
    toolCount: wire.toolCount,
    tools: [...wire.tools],
    protocolEra: wire.protocolEra || undefined,
    createdAt: wire.createdAt ? timestampDate(wire.createdAt) : null,
    updatedAt: wire.updatedAt ? timestampDate(wire.updatedAt) : null,
  };
}

const opts = { timeoutMs: ADMIN_TIMEOUT_MS };

/** McpClientAdmin over mcp-connector's McpClientAdminService. */
export class GrpcMcpClientAdmin implements McpClientAdmin {
  constructor(private readonly client: AdminClient) {}

  async list(): Promise<McpClientView[]> {
    return (await this.client.listClientConfigs({}, opts)).clients.map(toView);
  }

  async get(name: string): Promise<McpClientView> {
    return toView((await this.client.getClientConfig({ name }, opts)).client);
  }

  async create(config: Record<string, unknown>): Promise<McpClientView> {
    return toView((await this.client.createClientConfig({ config: encoder.encode(JSON.stringify(config)) }, opts)).client);
  }

  async update(name: string, patch: Record<string, unknown>): Promise<McpClientView> {
    return toView((await this.client.updateClientConfig({ name, patch: encoder.encode(JSON.stringify(patch)) }, opts)).client);
  }

  async remove(name: string): Promise<void> {
    await this.client.deleteClientConfig({ name }, opts);
  }

  async reconnect(name: string): Promise<McpClientView> {
    return toView((await this.client.reconnectClient({ name }, opts)).client);
  }
}
