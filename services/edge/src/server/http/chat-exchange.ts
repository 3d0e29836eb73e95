import type { IncomingHttpHeaders } from 'node:http';
import type { Ticket } from '../../domain/limits-gate.js';
import type { ChatAuditRecord, LlmCall, Principal, RouteOutcome } from '../../domain/types.js';
import { requestIdFrom, traceIdOf, traceparentFrom } from './request-meta.js';

export const CHAT_ROUTE = '/v1/chat/completions';

const EMPTY = new Uint8Array(0);

/**
 * One chat request's state, from arrival to the audit event. It is the llm-proxy
 * call and the audit record itself (both are interfaces it implements), so the hot
 * path allocates one object for all three.
 */
export class ChatExchange implements LlmCall, ChatAuditRecord {
  readonly route = CHAT_ROUTE;
  readonly requestId: string;
  readonly receivedAtMs = Date.now();
  readonly startedAt = performance.now();
  readonly traceparent: string | undefined;
  readonly traceId: string;
  readonly controller = new AbortController();
  keyId = '';
  model = '';
  stream = false;
  status = 0;
  errorKind = '';
  latencyMs = 0;
  body: Uint8Array = EMPTY;
  responseBody: Uint8Array | undefined = undefined;
  outcome: RouteOutcome | undefined = undefined;
  /** Set once authenticated: the call is settled (and its usage recorded) for it. */
  principal: Principal | undefined = undefined;
  /** The budget and rate-limit reservation of a single model call (not agent mode). */
  ticket: Ticket | undefined = undefined;
  /** Agent mode settles each model call itself. */
  settledPerCall = false;

  constructor(headers: IncomingHttpHeaders, readonly timeoutMs: number) {
    this.requestId = requestIdFrom(headers['x-request-id']);
    this.traceparent = traceparentFrom(headers.traceparent);
    this.traceId = traceIdOf(this.traceparent);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }
}
