import { SwitchyardError } from '@switchyard/errors';
import { decodeCursor } from './cursor.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type AuditFilter, type AuditQuery, type Outcome } from './types.js';

/** A list request as the caller sent it: empty strings and 0 mean "not set". */
export interface ListAuditInput {
  limit: number;
  cursor: string;
  keyId: string;
  model: string;
  provider: string;
  kind: string;
  requestId: string;
  outcome: string;
  since: Date | undefined;
  until: Date | undefined;
}

function bad(param: string, message: string): SwitchyardError {
  return new SwitchyardError('invalid_argument', message, { param });
}

function outcomeOf(value: string): Outcome | undefined {
  if (value === '') return undefined;
  if (value === 'success' || value === 'error') return value;
  throw bad('outcome', `outcome must be "success" or "error", got "${value.slice(0, 32)}"`);
}

/** Validates a list request into a query; never clamps (a limit above the maximum is an error). */
export function parseListQuery(input: ListAuditInput): AuditQuery {
  const limit = input.limit === 0 ? DEFAULT_PAGE_SIZE : input.limit;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw bad('limit', `limit must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  if (input.since && input.until && input.since.getTime() > input.until.getTime()) {
    throw bad('since', 'since must not be after until');
  }
  const filter: AuditFilter = {};
  if (input.keyId) filter.keyId = input.keyId;
  if (input.model) filter.model = input.model;
  if (input.provider) filter.provider = input.provider;
  if (input.kind) filter.kind = input.kind;
  if (input.requestId) filter.requestId = input.requestId;
  const outcome = outcomeOf(input.outcome);
  if (outcome) filter.outcome = outcome;
  if (input.since) filter.since = input.since;
  if (input.until) filter.until = input.until;
  return { filter, limit, ...(input.cursor ? { after: decodeCursor(input.cursor) } : {}) };
}
