import { Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { KINDS, isErrorKind, type ErrorKind } from './kinds.js';
import { SwitchyardError, toSwitchyardError } from './error.js';

const KIND_KEY = 'x-switchyard-error-kind';
const CODE_KEY = 'x-switchyard-error-code';
const PARAM_KEY = 'x-switchyard-error-param';
const UPSTREAM_KEY = 'x-switchyard-upstream-status';
const RETRY_KEY = 'x-switchyard-retry-after';

/** What a grpc-js handler passes to its callback (or `call.emit('error')`). */
export function toGrpcStatus(err: unknown): Partial<StatusObject> {
  const e = toSwitchyardError(err);
  const metadata = new Metadata();
  metadata.set(KIND_KEY, e.kind);
  metadata.set(CODE_KEY, e.code);
  if (e.param !== undefined) metadata.set(PARAM_KEY, e.param);
  if (e.upstreamStatus !== undefined) metadata.set(UPSTREAM_KEY, String(e.upstreamStatus));
  if (e.retryAfterSeconds !== undefined) metadata.set(RETRY_KEY, String(e.retryAfterSeconds));
  return { code: KINDS[e.kind].grpc, details: e.publicMessage, metadata };
}

const FROM_GRPC: Partial<Record<GrpcStatus, ErrorKind>> = {
  [GrpcStatus.INVALID_ARGUMENT]: 'invalid_argument',
  [GrpcStatus.UNAUTHENTICATED]: 'unauthenticated',
  [GrpcStatus.PERMISSION_DENIED]: 'permission_denied',
  [GrpcStatus.NOT_FOUND]: 'not_found',
  [GrpcStatus.ALREADY_EXISTS]: 'conflict',
  [GrpcStatus.RESOURCE_EXHAUSTED]: 'rate_limited',
  [GrpcStatus.DEADLINE_EXCEEDED]: 'upstream_timeout',
  [GrpcStatus.CANCELLED]: 'cancelled',
  [GrpcStatus.UNAVAILABLE]: 'unavailable',
};

function first(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/** Rebuilds the SwitchyardError a server sent, or maps a transport failure. */
export function fromGrpcError(err: unknown): SwitchyardError {
  if (err instanceof SwitchyardError) return err;
  const se = err as Partial<ServiceError>;
  if (typeof se.code !== 'number') return toSwitchyardError(err);
  const kindValue = first(se.metadata, KIND_KEY);
  const message = se.details ?? 'internal error';
  if (isErrorKind(kindValue)) {
    const upstream = first(se.metadata, UPSTREAM_KEY);
    const retry = first(se.metadata, RETRY_KEY);
    return new SwitchyardError(kindValue, message, {
      code: first(se.metadata, CODE_KEY) ?? kindValue,
      ...(first(se.metadata, PARAM_KEY) !== undefined ? { param: first(se.metadata, PARAM_KEY) } : {}),
      ...(upstream !== undefined ? { upstreamStatus: Number(upstream) } : {}),
      ...(retry !== undefined ? { retryAfterSeconds: Number(retry) } : {}),
      cause: err,
    });
  }
  // No kind in the trailers: the failure is the transport's (peer down, deadline).
  const kind = FROM_GRPC[se.code as GrpcStatus] ?? 'internal';
  const safe = kind === 'unavailable' ? 'internal service unavailable' : kind === 'internal' ? 'internal error' : message;
  return new SwitchyardError(kind, safe, { cause: err });
}
