import type { Bus } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { create, mcpconnector, SUBJECTS, toBinary } from '@switchyard/proto';
import type { ResourceUpdatePublisher } from '../../domain/ports.js';

/** `mcp.resources.updated` on the bus (core publish): edge delivers it to the sessions subscribed to the URI. */
export class BusResourceUpdatePublisher implements ResourceUpdatePublisher {
  constructor(private readonly bus: Bus, private readonly logger: Logger) {}

  resourceUpdated(client: string, uri: string): void {
    try {
      this.bus.publish(SUBJECTS.mcpResourcesUpdated, toBinary(mcpconnector.ResourceUpdatedSchema, create(mcpconnector.ResourceUpdatedSchema, { client, uri })));
      this.logger.debug({ client, uri }, 'mcp.resource.updated');
    } catch (err) {
      this.logger.warn({ err, client }, 'mcp.resource.publish_failed');
    }
  }
}
