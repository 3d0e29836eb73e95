import type { Bus } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { create, mcpadmin, SUBJECTS, toBinary } from '@switchyard/proto';
import type { ClientChangeOp, ClientChangePublisher } from '../../domain/client-store.js';

/** `mcp.clients.changed` on the bus: a name and an op, never a config (secrets stay in Postgres). */
export class BusClientChangePublisher implements ClientChangePublisher {
  constructor(private readonly bus: Bus, private readonly logger: Logger) {}

  changed(name: string, op: ClientChangeOp): void {
    try {
      this.bus.publish(SUBJECTS.mcpClientsChanged, toBinary(mcpadmin.McpClientsChangedSchema, create(mcpadmin.McpClientsChangedSchema, { name, op })));
    } catch (err) {
      // The other replicas catch up at their next resync.
      this.logger.warn({ err, client: name, op }, 'mcp.clients_changed.publish_failed');
    }
  }
}
