import { SwitchyardError } from '@switchyard/errors';
import type { UnaryHandler, mcpconnector } from '@switchyard/proto';
import type { McpConnector } from '../../domain/connector.js';
import type { JsonObject } from '../../domain/ports.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function parseArguments(bytes: Uint8Array): JsonObject {
  if (bytes.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new SwitchyardError('invalid_argument', 'arguments are not valid JSON', { param: 'arguments' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SwitchyardError('invalid_argument', 'arguments must be a JSON object', { param: 'arguments' });
  }
  return value as JsonObject;
}

/** Calls a tool by its exposed name; the upstream CallToolResult (isError included) comes back as JSON. */
export function callTool(connector: McpConnector): UnaryHandler<typeof mcpconnector.CallToolRequestSchema, typeof mcpconnector.CallToolResponseSchema> {
  return async (request, ctx) => {
    if (!request.name) throw new SwitchyardError('invalid_argument', 'name is required', { param: 'name' });
    const result = await connector.callTool(request.name, parseArguments(request.arguments), {
      signal: ctx.signal,
      ...(request.timeoutMs > 0 ? { timeoutMs: request.timeoutMs } : {}),
    });
    return { result: encoder.encode(JSON.stringify(result)) };
  };
}
