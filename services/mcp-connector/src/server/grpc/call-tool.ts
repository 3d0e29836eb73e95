import { SwitchyardError } from '@switchyard/errors';
import type { UnaryHandler, mcpconnector } from '@switchyard/proto';
import type { McpConnector } from '../../domain/connector.js';
import type { JsonObject } from '../../domain/ports.js';
import type { CallRelay } from '../../domain/relay.js';

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

/**
 * Calls a tool by its exposed name; the upstream CallToolResult (isError included) comes
 * back as JSON. With a call key, CancelCall reaches it too (a legacy session's
 * `notifications/cancelled` for a call answered as JSON); without one, nothing is tracked.
 */
export function callTool(connector: McpConnector, relay: CallRelay): UnaryHandler<typeof mcpconnector.CallToolRequestSchema, typeof mcpconnector.CallToolResponseSchema> {
  return async (request, ctx) => {
    if (!request.name) throw new SwitchyardError('invalid_argument', 'name is required', { param: 'name' });
    const args = parseArguments(request.arguments);
    const timeout = request.timeoutMs > 0 ? { timeoutMs: request.timeoutMs } : {};
    const run = async (signal: AbortSignal) => ({ result: encoder.encode(JSON.stringify(await connector.callTool(request.name, args, { signal, ...timeout }))) });
    if (request.callKey === '') return run(ctx.signal);
    const { controller, release } = relay.track(request.callKey, ctx.signal);
    try {
      return await run(controller.signal);
    } finally {
      release();
    }
  };
}
