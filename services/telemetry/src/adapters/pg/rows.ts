import type { Insertable, Selectable } from 'kysely';
import type { AuditRecord } from '../../domain/types.js';
import type { AuditEventsTable } from './tables.js';

export type AuditRow = Selectable<AuditEventsTable>;
export type AuditInsert = Insertable<AuditEventsTable>;

const INT32_MAX = 2_147_483_647;
/** Longer event ids are refused: the id is a primary key and has to fit a btree entry. */
export const MAX_EVENT_ID_LENGTH = 512;
/** Indexed text columns are cut to this many characters so that one long value cannot fail a batch. */
export const MAX_INDEXED_TEXT = 1024;

/** Postgres text cannot hold NUL; it becomes U+FFFD rather than failing the event. */
function clean(value: string): string {
  const wellFormed = value.isWellFormed() ? value : value.toWellFormed();
  return wellFormed.includes('\u0000') ? wellFormed.replaceAll('\u0000', '\uFFFD') : wellFormed;
}

function indexed(value: string): string {
  const c = clean(value);
  return c.length > MAX_INDEXED_TEXT ? `${c.slice(0, MAX_INDEXED_TEXT - 1)}\u2026` : c;
}

/** Why a record can never be stored, or undefined when it can. */
export function unstorableReason(record: AuditRecord): string | undefined {
  if (record.eventId.length > MAX_EVENT_ID_LENGTH) return `event_id longer than ${MAX_EVENT_ID_LENGTH} characters`;
  if (record.eventId.includes('\u0000')) return 'event_id contains NUL';
  if (record.status > INT32_MAX) return `status ${record.status} out of range`;
  if (record.attempts > INT32_MAX) return `attempts ${record.attempts} out of range`;
  if (Number.isNaN(record.time.getTime())) return 'invalid time';
  return undefined;
}

export function recordToRow(record: AuditRecord): AuditInsert {
  return {
    event_id: record.eventId,
    kind: indexed(record.kind),
    time: record.time,
    request_id: indexed(record.requestId),
    parent_request_id: indexed(record.parentRequestId),
    key_id: indexed(record.keyId),
    model: indexed(record.model),
    provider: indexed(record.provider),
    status: record.status,
    error_kind: clean(record.errorKind),
    latency_ms: record.latencyMs,
    prompt_tokens: record.promptTokens.toString(),
    completion_tokens: record.completionTokens.toString(),
    stream: record.stream,
    attempts: record.attempts,
    route: clean(record.route),
    trace_id: clean(record.traceId),
    request_body: record.requestBody ?? null,
    response_body: record.responseBody ?? null,
  };
}

/** The columns a batch insert writes (all but inserted_at), in the order of `recordToJsonRow`. */
export const INSERT_COLUMNS = [
  'event_id', 'kind', 'time', 'request_id', 'parent_request_id', 'key_id', 'model', 'provider', 'status', 'error_kind',
  'latency_ms', 'prompt_tokens', 'completion_tokens', 'stream', 'attempts', 'route', 'trace_id', 'request_body', 'response_body',
] as const;

function hexBytea(value: Uint8Array | null | undefined): string | null {
  return value ? `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}` : null;
}

/** A row as JSON for `json_populate_recordset`: times as ISO strings, bytea as `\\x` hex. */
export function recordToJsonRow(record: AuditRecord): Record<(typeof INSERT_COLUMNS)[number], string | number | boolean | null> {
  const row = recordToRow(record);
  return {
    ...row,
    time: record.time.toISOString(),
    request_body: hexBytea(record.requestBody),
    response_body: hexBytea(record.responseBody),
  };
}

function bytes(value: Uint8Array | null): Uint8Array | undefined {
  if (value === null) return undefined;
  // A Buffer (pg) becomes a plain view of the same memory.
  return value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

function int8(value: string | number | bigint): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

export function rowToRecord(row: AuditRow): AuditRecord {
  return {
    eventId: row.event_id,
    kind: row.kind,
    time: row.time instanceof Date ? row.time : new Date(row.time),
    requestId: row.request_id,
    parentRequestId: row.parent_request_id,
    keyId: row.key_id,
    model: row.model,
    provider: row.provider,
    status: row.status,
    errorKind: row.error_kind,
    latencyMs: row.latency_ms,
    promptTokens: int8(row.prompt_tokens),
    completionTokens: int8(row.completion_tokens),
    stream: row.stream,
    attempts: row.attempts,
    route: row.route,
    traceId: row.trace_id,
    requestBody: bytes(row.request_body),
    responseBody: bytes(row.response_body),
  };
}

/** SQLSTATE classes a retry can never fix: data exceptions, integrity, program limits. */
export function isDataError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}
