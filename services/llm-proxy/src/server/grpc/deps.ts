import type { Logger } from '@switchyard/obs';
import type { LlmMetrics } from '../../adapters/observability/metrics.js';
import type { ChatService } from '../../domain/chat-service.js';
import type { RoutingTable } from '../../domain/routing.js';

/** What the RPC handlers need. */
export interface GrpcDeps {
  chat: ChatService;
  table: RoutingTable;
  logger: Logger;
  metrics: LlmMetrics;
  /** Seconds since the epoch for `created` fields. */
  createdAt: number;
}
