import { randomUUID } from 'node:crypto';
import { activeTraceId, activeTraceparent, tracingActive } from '@switchyard/obs';

const MAX_REQUEST_ID = 128;

function isSafeIdChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
    || c === 0x2d || c === 0x5f || c === 0x2e || c === 0x3a;
}

/** The client's `x-request-id` when sane (1..128 of `[A-Za-z0-9._:-]`), else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_REQUEST_ID) return randomUUID();
  for (let i = 0; i < header.length; i++) if (!isSafeIdChar(header.charCodeAt(i))) return randomUUID();
  return header;
}

/**
 * The traceparent this request passes on: the edge's own server span when tracing is on
 * (it already continues the caller's trace), else the caller's W3C `traceparent`
 * (`00-<32 hex>-<16 hex>-<2 hex>`) when well-formed.
 */
export function traceparentFrom(header: string | string[] | undefined): string | undefined {
  if (tracingActive()) {
    const own = activeTraceparent();
    if (own !== undefined) return own;
  }
  if (typeof header !== 'string' || header.length !== 55) return undefined;
  if (header.charCodeAt(2) !== 0x2d || header.charCodeAt(35) !== 0x2d || header.charCodeAt(52) !== 0x2d) return undefined;
  return header;
}

/** The trace id: the caller's, else the active span's, else ''. */
export function traceIdOf(traceparent: string | undefined): string {
  return traceparent === undefined ? activeTraceId() : traceparent.slice(3, 35);
}
