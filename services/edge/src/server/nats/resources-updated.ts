import type { Bus, Subscription } from '@switchyard/bus';
import { fromBinary, mcpconnector, SUBJECTS } from '@switchyard/proto';
import type { ResourceUpdateDeps, ResourceUpdateFeed } from '../http/mcp-resource-updates.js';

/** `mcp.resources.updated` (core NATS, from mcp-connector): every replica tells the subscribed sessions whose streams it holds. */
export function subscribeResourcesUpdated(deps: ResourceUpdateDeps & { bus: Bus; feed: ResourceUpdateFeed }): Subscription {
  return deps.bus.subscribe(SUBJECTS.mcpResourcesUpdated, (msg) => {
    let event: mcpconnector.ResourceUpdated;
    try {
      event = fromBinary(mcpconnector.ResourceUpdatedSchema, msg.data);
    } catch (err) {
      deps.logger.warn({ err, subject: msg.subject }, 'mcp.resources_updated.undecodable');
      return;
    }
    if (event.client === '' || event.uri === '') return;
    deps.feed.updated({ client: event.client, uri: event.uri }, deps).catch((err: unknown) => {
      deps.logger.warn({ err, client: event.client }, 'mcp.resources_updated.delivery_failed');
    });
  });
}
