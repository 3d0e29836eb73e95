import { SwitchyardError } from '@switchyard/errors';
import type { UnaryHandler, mcpconnector } from '@switchyard/proto';
import type { McpConnector } from '../../domain/connector.js';
import { RpcError } from '../../domain/ports.js';
import { encodeJson, parseObject } from './json.js';

/** One request to one client's upstream; the upstream's result or JSON-RPC error comes back untouched. */
export function forward(connector: McpConnector): UnaryHandler<typeof mcpconnector.ForwardRequestSchema, typeof mcpconnector.ForwardResponseSchema> {
  return async (request, ctx) => {
    if (!request.client) throw new SwitchyardError('invalid_argument', 'client is required', { param: 'client' });
    try {
      const result = await connector.forward(request.client, request.method, parseObject(request.params, 'params'), {
        signal: ctx.signal,
        ...(request.timeoutMs > 0 ? { timeoutMs: request.timeoutMs } : {}),
      });
      return { outcome: { case: 'result', value: encodeJson(result) } };
    } catch (err) {
      if (err instanceof RpcError) return { outcome: { case: 'error', value: encodeJson(err.body) } };
      throw err;
    }
  };
}
