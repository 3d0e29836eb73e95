import type { ColumnType } from 'kysely';
import type { AuditEventJson } from '@switchyard/proto';

/** bigint columns: the pg driver reads them as strings, PGlite as numbers; written as strings. */
type Int8 = ColumnType<string | number | bigint, string, string>;
/** bytea: pg reads a Buffer, PGlite a Uint8Array (both are Uint8Arrays). */
type Bytea = ColumnType<Uint8Array | null, Uint8Array | null, Uint8Array | null>;
/** timestamptz: read as a Date (or a string from drivers configured otherwise). */
type Timestamptz = ColumnType<Date | string, Date, Date>;

/**
 * The audit_events columns: AuditEvent's fields in snake_case, named as the admin JSON
 * names them, with their storage types where they differ (plus inserted_at).
 */
export interface AuditEventsTable
  extends Omit<AuditEventJson, 'time' | 'prompt_tokens' | 'completion_tokens' | 'request_body' | 'response_body'> {
  time: Timestamptz;
  prompt_tokens: Int8;
  completion_tokens: Int8;
  request_body: Bytea;
  response_body: Bytea;
  inserted_at: ColumnType<Date | string, Date | undefined, Date>;
}

export interface TelemetryTables {
  audit_events: AuditEventsTable;
}
