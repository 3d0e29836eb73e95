import type { Bus, Subscription } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { fromBinary, mcpconnector, SUBJECTS } from '@switchyard/proto';
import type { ToolCatalogCache } from '../../domain/tool-catalog.js';

export interface CatalogChangedDeps {
  bus: Bus;
  catalog: ToolCatalogCache;
  logger: Logger;
  /** Told about every change (the /mcp GET streams' list_changed notifications). */
  onChanged?: () => void;
}

/**
 * `catalog.changed` (core NATS): mcp-connector's tool list moved on, so the edge
 * fetches it again at once instead of waiting for the TTL. An event for a version
 * the cache already holds is ignored.
 */
export function subscribeCatalogChanged(deps: CatalogChangedDeps): Subscription {
  return deps.bus.subscribe(SUBJECTS.catalogChanged, (msg) => {
    let event: mcpconnector.CatalogChanged;
    try {
      event = fromBinary(mcpconnector.CatalogChangedSchema, msg.data);
    } catch (err) {
      deps.logger.warn({ err, subject: msg.subject }, 'catalog_changed.undecodable');
      return;
    }
    if (event.catalogVersion !== '' && event.catalogVersion === deps.catalog.version) return;
    deps.catalog.invalidate();
    deps.onChanged?.();
  });
}
