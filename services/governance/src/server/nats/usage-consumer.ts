import type { Bus, Consumer, DurableMessage } from '@switchyard/bus';
import type { Counter, Logger } from '@switchyard/obs';
import { fromBinary, governance, STREAMS, SUBJECTS, timestampDate } from '@switchyard/proto';
import type { UsageLedger, UsageRecord } from '../../domain/index.js';

/** Replicas share this durable consumer and split the stream. */
export const USAGE_DURABLE = 'governance-usage';

export function toUsageRecord(e: governance.UsageEvent): UsageRecord {
  return {
    eventId: e.eventId,
    requestId: e.requestId,
    time: e.time ? timestampDate(e.time) : new Date(),
    keyId: e.keyId,
    teamId: e.teamId || undefined,
    customerId: e.customerId || undefined,
    kind: e.kind === 'tool' ? 'tool' : 'model',
    name: e.name,
    promptTokens: Number(e.promptTokens),
    completionTokens: Number(e.completionTokens),
    costMicros: Number(e.costMicros),
    charges: e.charges.map((c) => ({ budgetId: c.budgetId, windowStartMs: Number(c.windowStartMs), costMicros: Number(c.costMicros) })),
  };
}

export interface UsageConsumerDeps {
  bus: Bus;
  ledger: UsageLedger;
  logger: Logger;
  /** `switchyard_governance_usage_events_total{outcome}`: recorded, duplicate, undecodable. */
  events: Counter<'outcome'>;
  batchSize?: number;
  maxWaitMs?: number;
}

/**
 * The USAGE stream into the ledger: a batch is one transaction, acknowledged after it
 * commits; a redelivered event is ignored by its id. An undecodable message is logged,
 * counted and acknowledged (it can never succeed).
 */
export async function startUsageConsumer(deps: UsageConsumerDeps): Promise<Consumer> {
  await deps.bus.ensureStream({ name: STREAMS.usage, subjects: [SUBJECTS.usageSettled] });
  return deps.bus.consume({
    stream: STREAMS.usage,
    durable: USAGE_DURABLE,
    batchSize: deps.batchSize ?? 500,
    maxWaitMs: deps.maxWaitMs ?? 100,
    retryDelayMs: 1_000,
    handler: async (batch: DurableMessage[]) => {
      const records: UsageRecord[] = [];
      for (const msg of batch) {
        try {
          records.push(toUsageRecord(fromBinary(governance.UsageEventSchema, msg.data)));
        } catch (err) {
          deps.events.inc({ outcome: 'undecodable' });
          deps.logger.warn({ err, seq: msg.seq }, 'usage.undecodable');
        }
      }
      const recorded = await deps.ledger.record(records);
      deps.events.inc({ outcome: 'recorded' }, recorded);
      if (records.length > recorded) deps.events.inc({ outcome: 'duplicate' }, records.length - recorded);
    },
    onError: (err) => deps.logger.warn({ err }, 'usage.batch_failed'),
  });
}
