import { DurablePublisher, type Bus } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { create, governance, STREAMS, SUBJECTS, timestampFromDate, toBinary } from '@switchyard/proto';
import type { UsageRecord, UsageSink } from '../../domain/limits-gate.js';

const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Usage events on JetStream (`usage.settled`, stream USAGE; the event id is the message
 * id, so JetStream drops a re-send inside its duplicate window and governance's ledger
 * ignores any later repeat). Bounded and non-blocking, like the audit sink.
 */
export class BusUsageSink implements UsageSink, AsyncDisposable {
  readonly #publisher: DurablePublisher;
  #lastErrorLog = 0;

  constructor(private readonly bus: Bus, private readonly options: { maxBuffered: number; logger: Logger; onDrop: (n: number) => void }) {
    this.#publisher = new DurablePublisher(bus, { maxBuffered: options.maxBuffered, onDrop: options.onDrop, onError: (err) => this.#logError(err) });
  }

  async ensureStream(): Promise<void> {
    await this.bus.ensureStream({ name: STREAMS.usage, subjects: [SUBJECTS.usageSettled] });
  }

  recordUsage(r: UsageRecord): void {
    try {
      const event = create(governance.UsageEventSchema, {
        eventId: r.eventId, requestId: r.requestId, time: timestampFromDate(new Date(r.timeMs)),
        keyId: r.keyId, teamId: r.teamId, customerId: r.customerId, kind: r.kind, name: r.name,
        promptTokens: BigInt(r.promptTokens), completionTokens: BigInt(r.completionTokens), costMicros: BigInt(r.costMicros),
        charges: r.charges.map((c) => ({ budgetId: c.budgetId, windowStartMs: BigInt(c.windowStartMs), costMicros: BigInt(c.costMicros) })),
      });
      this.#publisher.enqueue(SUBJECTS.usageSettled, toBinary(governance.UsageEventSchema, event), r.eventId);
    } catch (err) {
      this.#logError(err);
    }
  }

  flush(timeoutMs: number): Promise<void> {
    return this.#publisher.flush(timeoutMs);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#publisher[Symbol.asyncDispose]();
  }

  #logError(err: unknown): void {
    const now = Date.now();
    if (now - this.#lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.#lastErrorLog = now;
    this.options.logger.warn({ err, buffered: this.#publisher.buffered }, 'usage.publish_failed');
  }
}
