import { KINDS } from './kinds.js';
import { toSwitchyardError } from './error.js';

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: { kind: string; code: string };
}

/** A JSON-RPC error object for MCP routes. Tool failures are results with `isError`, not this. */
export function toJsonRpcError(err: unknown): JsonRpcErrorObject {
  const e = toSwitchyardError(err);
  return { code: KINDS[e.kind].jsonrpc, message: e.publicMessage, data: { kind: e.kind, code: e.code } };
}
