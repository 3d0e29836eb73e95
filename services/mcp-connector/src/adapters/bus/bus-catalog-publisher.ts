import type { Bus } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { create, mcpconnector, SUBJECTS, toBinary } from '@switchyard/proto';
import type { CatalogPublisher } from '../../domain/ports.js';

/** `catalog.changed` on the bus (core publish: caches re-list on receipt). */
export class BusCatalogPublisher implements CatalogPublisher {
  constructor(private readonly bus: Bus, private readonly logger: Logger) {}

  catalogChanged(client: string, catalogVersion: string): void {
    const message = create(mcpconnector.CatalogChangedSchema, { client, catalogVersion });
    try {
      this.bus.publish(SUBJECTS.catalogChanged, toBinary(mcpconnector.CatalogChangedSchema, message));
      this.logger.debug({ client, catalogVersion }, 'catalog.changed');
    } catch (err) {
      this.logger.warn({ err, client }, 'catalog.publish_failed');
    }
  }
}
