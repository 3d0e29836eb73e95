import { create, telemetry, timestampDate, timestampFromDate } from '@switchyard/proto';
import type { AuditRecord } from '../domain/types.js';

export type WireAuditEvent = telemetry.AuditEvent;

/** Where a message came from, for the fields an event may leave empty. */
export interface MessageFacts {
  /** The JetStream message id (the publisher sets it to the event id). */
  msgId: string;
  receivedAt: Date;
}

export type Decoded = { ok: true; record: AuditRecord } | { ok: false; reason: string };

function bodyOf(bytes: Uint8Array): Uint8Array | undefined {
  return bytes.length > 0 ? bytes : undefined;
}

function timeOf(event: WireAuditEvent, facts: MessageFacts): Date {
  if (!event.time) return facts.receivedAt;
  const time = timestampDate(event.time);
  return Number.isNaN(time.getTime()) ? facts.receivedAt : time;
}

/**
 * The domain record for a wire event. An event without an id falls back to the message
 * id; with neither it cannot be stored idempotently and is refused. A missing time is
 * the time of receipt (an audit event is worth more than its exact time).
 */
export function recordFromEvent(event: WireAuditEvent, facts: MessageFacts): Decoded {
  const eventId = event.eventId || facts.msgId;
  if (!eventId) return { ok: false, reason: 'event has no event_id and the message no id' };
  return {
    ok: true,
    record: {
      eventId,
      kind: event.kind,
      time: timeOf(event, facts),
      requestId: event.requestId,
      parentRequestId: event.parentRequestId,
      keyId: event.keyId,
      model: event.model,
      provider: event.provider,
      status: event.status,
      errorKind: event.errorKind,
      latencyMs: event.latencyMs,
      promptTokens: event.promptTokens,
      completionTokens: event.completionTokens,
      stream: event.stream,
      attempts: event.attempts,
      route: event.route,
      traceId: event.traceId,
      requestBody: bodyOf(event.requestBody),
      responseBody: bodyOf(event.responseBody),
    },
  };
}

export function eventFromRecord(record: AuditRecord): WireAuditEvent {
  return create(telemetry.AuditEventSchema, {
    eventId: record.eventId,
    kind: record.kind,
    time: timestampFromDate(record.time),
    requestId: record.requestId,
    parentRequestId: record.parentRequestId,
    keyId: record.keyId,
    model: record.model,
    provider: record.provider,
    status: record.status,
    errorKind: record.errorKind,
    latencyMs: record.latencyMs,
    promptTokens: record.promptTokens,
    completionTokens: record.completionTokens,
    stream: record.stream,
    attempts: record.attempts,
    route: record.route,
    traceId: record.traceId,
    requestBody: record.requestBody ?? new Uint8Array(0),
    responseBody: record.responseBody ?? new Uint8Array(0),
  });
}
