import type { AuditPage, AuditQuery, AuditRecord } from './types.js';

export interface RejectedRecord {
  record: AuditRecord;
  /** Why storage refused it (a data error, never a connection error). */
  reason: string;
}

export interface InsertResult {
  /** The records stored by this call; those already stored (same event id) are not in it. */
  inserted: Array<Pick<AuditRecord, 'eventId' | 'kind'>>;
  /** Records storage can never accept (poison): the caller skips them. */
  rejected: RejectedRecord[];
}

/** The durable audit log. */
export interface AuditStore {
  /**
   * Stores records idempotently by event id, all or nothing for those it accepts.
   * Throws when storage is unavailable: nothing was stored, and the caller retries.
   */
  insert(records: readonly AuditRecord[]): Promise<InsertResult>;
  /** Newest first (time, then event id, descending). */
  list(query: AuditQuery): Promise<AuditPage>;
  /** Deletes events older than `cutoff`, in chunks; returns how many. */
  deleteOlderThan(cutoff: Date): Promise<number>;
  /** Rejects when storage does not answer. */
  ping(): Promise<void>;
}
