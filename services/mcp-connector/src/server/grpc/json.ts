import { SwitchyardError } from '@switchyard/errors';
import type { JsonObject, RpcErrorBody } from '../../domain/ports.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** A JSON object field of a request (empty bytes: `{}`); anything else is invalid_argument on `param`. */
export function parseObject(bytes: Uint8Array, param: string): JsonObject {
  if (bytes.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new SwitchyardError('invalid_argument', `${param} is not valid JSON`, { param });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SwitchyardError('invalid_argument', `${param} must be a JSON object`, { param });
  }
  return value as JsonObject;
}

/** A JSON-RPC error object from a peer, kept as it was; a malformed one becomes an internal error body. */
export function parseRpcError(bytes: Uint8Array): RpcErrorBody {
  const body = parseObject(bytes, 'error');
  const code = typeof body.code === 'number' ? body.code : -32603;
  const message = typeof body.message === 'string' ? body.message : 'error';
  return { code, message, ...(body.data === undefined ? {} : { data: body.data }) };
}
