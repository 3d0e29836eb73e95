import { randomUUID } from 'node:crypto';
import { DurablePublisher, type Bus } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { create, STREAMS, SUBJECTS, telemetry, timestampFromDate, toBinary } from '@switchyard/proto';
import type { AuditSink, ToolAuditSink } from '../../domain/ports.js';
import type { ChatAuditRecord, ToolAuditRecord } from '../../domain/types.js';

export interface BusAuditSinkOptions {
  maxBuffered: number;
  /** Put request and response bodies into the events. */
  logContent: boolean;
  logger: Logger;
  onDrop: (count: number) => void;
}

const EMPTY = new Uint8Array(0);
/** While the bus is down, say so at most this often. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Audit events on JetStream (`audit.llm`, `audit.tool`; event id as the message id), through a
 * bounded non-blocking publisher: `recordChat` returns at once and never throws.
 */
export class BusAuditSink implements AuditSink, ToolAuditSink, AsyncDisposable {
  private readonly publisher: DurablePublisher;
  private lastErrorLog = 0;
  private readonly event = create(telemetry.AuditEventSchema);
  private readonly time = timestampFromDate(new Date(0));

  constructor(private readonly bus: Bus, private readonly options: BusAuditSinkOptions) {
    this.publisher = new DurablePublisher(bus, {
      maxBuffered: options.maxBuffered,
      onDrop: options.onDrop,
      onError: (err) => this.logError(err),
    });
  }

  /** Creates (or updates) the AUDIT stream; called once at start. */
  async ensureStream(): Promise<void> {
    await this.bus.ensureStream({ name: STREAMS.audit, subjects: [SUBJECTS.auditAll] });
  }

  get buffered(): number {
    return this.publisher.buffered;
  }

  recordChat(r: ChatAuditRecord): void {
    try {
      const eventId = randomUUID();
      this.publisher.enqueue(SUBJECTS.auditLlm, this.encode(eventId, r), eventId);
    } catch (err) {
      this.logError(err);
    }
  }

  recordTool(r: ToolAuditRecord): void {
    try {
      const eventId = randomUUID();
      this.publisher.enqueue(SUBJECTS.auditTool, this.encodeTool(eventId, r), eventId);
    } catch (err) {
      this.logError(err);
    }
  }

  /** Tool calls are rare next to chat: a fresh message each time. */
  private encodeTool(eventId: string, r: ToolAuditRecord): Uint8Array {
    const event = create(telemetry.AuditEventSchema, {
      eventId,
      kind: 'tool',
      time: timestampFromDate(new Date(r.receivedAtMs)),
      requestId: r.requestId,
      parentRequestId: r.parentRequestId,
      keyId: r.keyId,
      model: r.tool,
      provider: r.client,
      status: r.status,
      errorKind: r.errorKind,
      latencyMs: r.latencyMs,
      route: r.route,
      traceId: r.traceId,
      requestBody: this.options.logContent ? r.body : EMPTY,
      responseBody: this.options.logContent ? (r.responseBody ?? EMPTY) : EMPTY,
    });
    return toBinary(telemetry.AuditEventSchema, event);
  }

  /**
   * One message, reused: every field is assigned on every call, then encoded (a fresh
   * buffer). This skips protobuf-es's per-message `create` on the hot path.
   */
  private encode(eventId: string, r: ChatAuditRecord): Uint8Array {
    const e = this.event;
    const usage = r.outcome?.usage;
    const time = this.time;
    time.seconds = BigInt(Math.floor(r.receivedAtMs / 1000));
    time.nanos = (r.receivedAtMs % 1000) * 1_000_000;
    e.eventId = eventId;
    e.kind = 'llm';
    e.time = time;
    e.requestId = r.requestId;
    e.parentRequestId = '';
    e.keyId = r.keyId;
    e.model = r.model;
    e.provider = r.outcome?.provider ?? '';
    e.status = r.status;
    e.errorKind = r.errorKind;
    e.latencyMs = r.latencyMs;
    e.promptTokens = usage?.promptTokens ?? 0n;
    e.completionTokens = usage?.completionTokens ?? 0n;
    e.stream = r.stream;
    e.attempts = r.outcome?.attempts ?? 0;
    e.route = r.route;
    e.traceId = r.traceId;
    e.requestBody = this.options.logContent ? r.body : EMPTY;
    e.responseBody = this.options.logContent ? (r.responseBody ?? EMPTY) : EMPTY;
    return toBinary(telemetry.AuditEventSchema, e);
  }

  flush(timeoutMs: number): Promise<void> {
    return this.publisher.flush(timeoutMs);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.publisher[Symbol.asyncDispose]();
  }

  private logError(err: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    this.options.logger.warn({ err, buffered: this.publisher.buffered, dropped: this.publisher.dropped }, 'audit.publish_failed');
  }
}
