import { counter, histogram, type Counter, type Histogram, type Registry } from '@switchyard/obs';

export interface TelemetryMetrics {
  written: Counter<'kind'>;
  batchSeconds: Histogram;
  poison: Counter;
  writeErrors: Counter;
  retentionDeleted: Counter;
}

const BATCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createTelemetryMetrics(registry: Registry): TelemetryMetrics {
  return {
    written: counter(registry, 'switchyard_audit_events_written_total', 'Audit events stored (a redelivered event already stored is not counted).', ['kind']),
    batchSeconds: histogram(registry, 'switchyard_audit_batch_seconds', 'Time to decode and store one batch of audit events.', [], BATCH_BUCKETS),
    poison: counter(registry, 'switchyard_audit_poison_messages_total', 'Audit messages skipped because they cannot be decoded or stored.'),
    writeErrors: counter(registry, 'switchyard_audit_write_errors_total', 'Batches that failed to store and were left for redelivery.'),
    retentionDeleted: counter(registry, 'switchyard_audit_events_expired_total', 'Audit events deleted by retention.'),
  };
}

const KINDS = new Set(['llm', 'tool', 'admin']);

/** Bounded label values: unknown kinds count as "other". */
export function kindLabel(kind: string): string {
  return KINDS.has(kind) ? kind : 'other';
}
