import type { Bus } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { create, mcpconnector, SUBJECTS, toBinary } from '@switchyard/proto';

/**
 * `mcp.session.closed` on core NATS: a legacy `/mcp` session ended, so whichever
 * mcp-connector replica holds session lanes for it closes them. Fire and forget: a lost
 * event leaves a lane to its idle TTL.
 */
export function sessionClosedPublisher(bus: Bus, logger: Logger): (id: string) => void {
  return (session) => {
    try {
      bus.publish(SUBJECTS.mcpSessionClosed, toBinary(mcpconnector.McpSessionClosedSchema, create(mcpconnector.McpSessionClosedSchema, { session })));
    } catch (err) {
      logger.warn({ err }, 'mcp.session_closed.publish_failed');
    }
  };
}
