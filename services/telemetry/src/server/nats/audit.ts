import type { DurableMessage } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { fromBinary, telemetry } from '@switchyard/proto';
import type { AuditStore, InsertResult } from '../../domain/ports.js';
import type { AuditRecord } from '../../domain/types.js';
import { kindLabel, type TelemetryMetrics } from '../metrics.js';
import { recordFromEvent } from '../wire.js';

export interface AuditHandlerDeps {
  store: AuditStore;
  logger: Logger;
  metrics: TelemetryMetrics;
  now?: () => Date;
}

export type AuditBatchHandler = (batch: DurableMessage[]) => Promise<void>;

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The consumer of `audit.>`: decodes a batch, stores it in one insert, and resolves only
 * once it is stored (the bus then acks). A message that can never be stored is logged,
 * counted and skipped; a storage failure throws, and the whole batch is redelivered
 * (the insert is idempotent by event id, so nothing is stored twice).
 */
export function createAuditBatchHandler(deps: AuditHandlerDeps): AuditBatchHandler {
  const { store, logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());

  const poison = (msg: DurableMessage, reason: string): void => {
    metrics.poison.inc();
    logger.warn({ subject: msg.subject, seq: msg.seq, msgId: msg.msgId, reason }, 'audit.poison_message');
  };

  const decode = (batch: DurableMessage[]): AuditRecord[] => {
    const byId = new Map<string, AuditRecord>();
    const receivedAt = now();
    for (const msg of batch) {
      let event: telemetry.AuditEvent;
      try {
        event = fromBinary(telemetry.AuditEventSchema, msg.data);
      } catch (err) {
        poison(msg, `not an AuditEvent: ${reasonOf(err)}`);
        continue;
      }
      const decoded = recordFromEvent(event, { msgId: msg.msgId, receivedAt });
      if (!decoded.ok) poison(msg, decoded.reason);
      else if (!byId.has(decoded.record.eventId)) byId.set(decoded.record.eventId, decoded.record);
    }
    return [...byId.values()];
  };

  return async (batch) => {
    const stop = metrics.batchSeconds.startTimer();
    const records = decode(batch);
    if (records.length === 0) {
      stop();
      return;
    }
    let result: InsertResult;
    try {
      result = await store.insert(records);
    } catch (err) {
      metrics.writeErrors.inc();
      throw err;
    }
    for (const r of result.rejected) {
      metrics.poison.inc();
      logger.warn({ eventId: r.record.eventId, reason: r.reason }, 'audit.poison_message');
    }
    for (const r of result.inserted) metrics.written.inc({ kind: kindLabel(r.kind) });
    stop();
    logger.debug({ messages: batch.length, stored: result.inserted.length }, 'audit.batch_stored');
  };
}
