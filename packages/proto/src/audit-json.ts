import type { AuditEvent } from './gen/switchyard/telemetry/v1/telemetry_pb.js';
import { timestampDate } from './wire.js';

/** An audit event as the admin API (`GET /api/logs`) renders it: telemetry.v1.AuditEvent in snake_case. */
export interface AuditEventJson {
  event_id: string;
  kind: string;
  /** ISO 8601, or null when the event carries no time. */
  time: string | null;
  request_id: string;
  parent_request_id: string;
  key_id: string;
  model: string;
  provider: string;
  status: number;
  error_kind: string;
  latency_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  stream: boolean;
  attempts: number;
  route: string;
  trace_id: string;
  /** UTF-8 text of the body (invalid sequences replaced), or null when not logged. */
  request_body: string | null;
  response_body: string | null;
}

const utf8 = new TextDecoder('utf-8');

function text(bytes: Uint8Array): string | null {
  return bytes.length > 0 ? utf8.decode(bytes) : null;
}

/** Token counts fit a JSON number (2^53) in every realistic case; beyond it they saturate. */
function count(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** Renders an AuditEvent (from ListAuditEvents) as snake_case JSON for `GET /api/logs`. */
export function auditEventToJson(event: AuditEvent): AuditEventJson {
  return {
    event_id: event.eventId,
    kind: event.kind,
    time: event.time ? timestampDate(event.time).toISOString() : null,
    request_id: event.requestId,
    parent_request_id: event.parentRequestId,
    key_id: event.keyId,
    model: event.model,
    provider: event.provider,
    status: event.status,
    error_kind: event.errorKind,
    latency_ms: event.latencyMs,
    prompt_tokens: count(event.promptTokens),
    completion_tokens: count(event.completionTokens),
    stream: event.stream,
    attempts: event.attempts,
    route: event.route,
    trace_id: event.traceId,
    request_body: text(event.requestBody),
    response_body: text(event.responseBody),
  };
}
