import type { ServerResponse } from 'node:http';
import { toOpenAIError, toSwitchyardError, type ErrorKind } from '@switchyard/errors';
import type { Logger } from '@switchyard/obs';

/** An error as the HTTP edge answers it: OpenAI envelope, status, retry-after. */
export interface ErrorReply {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The envelope, JSON. */
  readonly body: string;
}

/**
 * The one place where a failure becomes an HTTP answer (the raw chat path and Hono
 * both come here). Unmapped failures are `internal` ("internal error") and their
 * cause is logged once, here; other server-side failures are logged as warnings;
 * caller errors are not logged.
 */
export function errorReply(err: unknown, logger: Logger, requestId?: string): ErrorReply {
  const e = toSwitchyardError(err);
  const { status, headers, body } = toOpenAIError(e);
  if (e.kind === 'internal') logger.error({ err: e.cause ?? e, requestId }, 'request.failed');
  else if (status >= 500 && e.kind !== 'cancelled') logger.warn({ kind: e.kind, code: e.code, reason: e.message, requestId }, 'request.upstream_failed');
  return { kind: e.kind, status, headers, body: JSON.stringify(body) };
}

/** Writes an error reply on a raw Node response whose headers are not sent yet. */
export function writeErrorReply(res: ServerResponse, reply: ErrorReply, requestId: string): void {
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(reply.body),
    'x-request-id': requestId,
  });
  res.end(reply.body);
}
