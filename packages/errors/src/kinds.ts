import { status as GrpcStatus } from '@grpc/grpc-js';

/** The closed vocabulary of failures, grouped by fault domain. */
export type ErrorKind =
  // the caller
  | 'invalid_argument'
  | 'payload_too_large'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  // policy
  | 'policy_denied'
  | 'rate_limited'
  | 'budget_exceeded'
  // upstreams (providers, MCP servers)
  | 'upstream_error'
  | 'upstream_timeout'
  | 'upstream_rejected'
  // ourselves
  | 'unavailable'
  | 'cancelled'
  | 'internal';

export interface KindSpec {
  /** gRPC status code carried on the wire. */
  readonly grpc: GrpcStatus;
  /** HTTP status at the edge. */
  readonly http: number;
  /** OpenAI error envelope `type`. */
  readonly type: string;
  /** JSON-RPC error code on MCP routes. */
  readonly jsonrpc: number;
  /** Whether llm-proxy may try the next fallback target after this error. */
  readonly fallback: boolean;
}

export const KINDS = {
  invalid_argument: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 400, type: 'invalid_request_error', jsonrpc: -32602, fallback: false },
  payload_too_large: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 413, type: 'invalid_request_error', jsonrpc: -32600, fallback: false },
  unauthenticated: { grpc: GrpcStatus.UNAUTHENTICATED, http: 401, type: 'authentication_error', jsonrpc: -32001, fallback: false },
  permission_denied: { grpc: GrpcStatus.PERMISSION_DENIED, http: 403, type: 'permission_error', jsonrpc: -32003, fallback: false },
  not_found: { grpc: GrpcStatus.NOT_FOUND, http: 404, type: 'not_found_error', jsonrpc: -32004, fallback: false },
  conflict: { grpc: GrpcStatus.ALREADY_EXISTS, http: 409, type: 'invalid_request_error', jsonrpc: -32005, fallback: false },
  policy_denied: { grpc: GrpcStatus.PERMISSION_DENIED, http: 403, type: 'permission_error', jsonrpc: -32003, fallback: false },
  rate_limited: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 429, type: 'rate_limit_error', jsonrpc: -32029, fallback: false },
  budget_exceeded: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 429, type: 'rate_limit_error', jsonrpc: -32029, fallback: false },
  upstream_error: { grpc: GrpcStatus.UNAVAILABLE, http: 502, type: 'server_error', jsonrpc: -32603, fallback: true },
  upstream_timeout: { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 504, type: 'server_error', jsonrpc: -32603, fallback: true },
  upstream_rejected: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 502, type: 'server_error', jsonrpc: -32603, fallback: true },
  unavailable: { grpc: GrpcStatus.UNAVAILABLE, http: 503, type: 'server_error', jsonrpc: -32603, fallback: false },
  cancelled: { grpc: GrpcStatus.CANCELLED, http: 499, type: 'server_error', jsonrpc: -32800, fallback: false },
  internal: { grpc: GrpcStatus.INTERNAL, http: 500, type: 'server_error', jsonrpc: -32603, fallback: false },
} as const satisfies Record<ErrorKind, KindSpec>;

export const ERROR_KINDS = Object.keys(KINDS) as ErrorKind[];

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && Object.hasOwn(KINDS, value);
}
