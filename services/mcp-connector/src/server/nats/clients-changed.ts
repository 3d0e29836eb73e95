import type { Bus, Subscription } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { fromBinary, mcpadmin, SUBJECTS } from '@switchyard/proto';
import type { ClientRegistry } from '../../domain/client-registry.js';

const OPS = new Set(['upsert', 'delete', 'reconnect']);

/** Every replica re-reads a changed client from Postgres and reconciles its connections. */
export function subscribeClientsChanged(deps: { bus: Bus; registry: ClientRegistry; logger: Logger }): Subscription {
  return deps.bus.subscribe(SUBJECTS.mcpClientsChanged, (msg) => {
    let event: mcpadmin.McpClientsChanged;
    try {
      event = fromBinary(mcpadmin.McpClientsChangedSchema, msg.data);
    } catch (err) {
      deps.logger.warn({ err }, 'mcp.clients_changed.unreadable');
      return;
    }
    if (!event.name || !OPS.has(event.op)) return;
    deps.registry.changed(event.name, event.op as 'upsert' | 'delete' | 'reconnect').catch((err: unknown) => {
      deps.logger.warn({ err, client: event.name, op: event.op }, 'mcp.clients_changed.apply_failed');
    });
  });
}
