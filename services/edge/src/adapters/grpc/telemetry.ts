import { auditEventToJson, timestampFromDate, type ServiceClient, type telemetry } from '@switchyard/proto';
import type { AuditLog } from '../../domain/ports.js';
import type { AuditFilter, AuditView, Page } from '../../domain/types.js';

type TelemetryClient = ServiceClient<typeof telemetry.TelemetryService>;

const QUERY_TIMEOUT_MS = 10_000;

/** The audit log over telemetry's gRPC API. */
export class GrpcAuditLog implements AuditLog {
  constructor(private readonly client: TelemetryClient) {}

  async list(f: AuditFilter): Promise<Page<AuditView>> {
    const res = await this.client.listAuditEvents(
      {
        limit: f.limit ?? 0,
        cursor: f.cursor ?? '',
        keyId: f.keyId ?? '',
        model: f.model ?? '',
        provider: f.provider ?? '',
        kind: f.kind ?? '',
        requestId: f.requestId ?? '',
        outcome: f.outcome ?? '',
        ...(f.since ? { since: timestampFromDate(f.since) } : {}),
        ...(f.until ? { until: timestampFromDate(f.until) } : {}),
      },
      { timeoutMs: QUERY_TIMEOUT_MS },
    );
    return { items: res.events.map(auditEventToJson), nextCursor: res.nextCursor };
  }
}
