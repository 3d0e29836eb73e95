import { isSwitchyardError } from '@switchyard/errors';
import type { Logger } from '@switchyard/obs';
import { timestampDate, type ServiceImplementation, type telemetry } from '@switchyard/proto';
import { encodeCursor } from '../../domain/cursor.js';
import { parseListQuery, type ListAuditInput } from '../../domain/list-query.js';
import type { AuditStore } from '../../domain/ports.js';
import { eventFromRecord } from '../wire.js';

type Handler = ServiceImplementation<typeof telemetry.TelemetryService>['listAuditEvents'];

export interface ListAuditEventsDeps {
  store: AuditStore;
  logger: Logger;
}

export function inputFromRequest(request: telemetry.ListAuditEventsRequest): ListAuditInput {
  return {
    limit: request.limit,
    cursor: request.cursor,
    keyId: request.keyId,
    model: request.model,
    provider: request.provider,
    kind: request.kind,
    requestId: request.requestId,
    outcome: request.outcome,
    since: request.since ? timestampDate(request.since) : undefined,
    until: request.until ? timestampDate(request.until) : undefined,
  };
}

/** ListAuditEvents: filtered, newest first, keyset-paginated with an opaque cursor. */
export function listAuditEvents(deps: ListAuditEventsDeps): Handler {
  return async (request) => {
    const query = parseListQuery(inputFromRequest(request));
    try {
      const page = await deps.store.list(query);
      return {
        events: page.records.map(eventFromRecord),
        nextCursor: page.next ? encodeCursor(page.next) : '',
      };
    } catch (err) {
      // The response carries "internal error"; the cause is logged here, once.
      if (!isSwitchyardError(err)) deps.logger.error({ err }, 'list_audit_events.failed');
      throw err;
    }
  };
}
