/** One audited event as the domain sees it (wire and row shapes are mapped at the edges). */
export interface AuditRecord {
  eventId: string;
  /** "llm", "tool" or "admin". */
  kind: string;
  /** Millisecond precision: the stored and the cursor times compare exactly. */
  time: Date;
  requestId: string;
  parentRequestId: string;
  keyId: string;
  model: string;
  provider: string;
  /** HTTP status returned to the client. */
  status: number;
  errorKind: string;
  latencyMs: number;
  promptTokens: bigint;
  completionTokens: bigint;
  stream: boolean;
  attempts: number;
  route: string;
  traceId: string;
  /** Only when content logging is on; absent (not empty) otherwise. */
  requestBody: Uint8Array | undefined;
  responseBody: Uint8Array | undefined;
}

export type Outcome = 'success' | 'error';

/** A position in the newest-first order: the last event of a page. */
export interface AuditCursor {
  time: Date;
  eventId: string;
}

/** Equality filters are skipped when absent; `since` is inclusive, `until` exclusive. */
export interface AuditFilter {
  keyId?: string;
  model?: string;
  provider?: string;
  kind?: string;
  requestId?: string;
  outcome?: Outcome;
  since?: Date;
  until?: Date;
}

export interface AuditQuery {
  filter: AuditFilter;
  /** 1..MAX_PAGE_SIZE. */
  limit: number;
  /** Events strictly after this position (older, or same time and smaller id). */
  after?: AuditCursor;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Where the next page starts; absent on the last page. */
  next?: AuditCursor;
}

/** Status at or above this is an error outcome. */
export const ERROR_STATUS = 400;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
