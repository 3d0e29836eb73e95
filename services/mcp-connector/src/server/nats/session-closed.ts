import type { Bus, Subscription } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { fromBinary, mcpconnector, SUBJECTS } from '@switchyard/proto';
import type { McpConnector } from '../../domain/connector.js';

/** A downstream session ended (edge, `mcp.session.closed`): whichever replica holds lanes for it closes them. */
export function subscribeSessionClosed(deps: { bus: Bus; connector: McpConnector; logger: Logger }): Subscription {
  return deps.bus.subscribe(SUBJECTS.mcpSessionClosed, (msg) => {
    let event: mcpconnector.McpSessionClosed;
    try {
      event = fromBinary(mcpconnector.McpSessionClosedSchema, msg.data);
    } catch (err) {
      deps.logger.warn({ err }, 'mcp.session_closed.unreadable');
      return;
    }
    if (event.session) deps.connector.closeSession(event.session);
  });
}
