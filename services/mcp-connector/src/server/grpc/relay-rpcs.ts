import type { UnaryHandler, mcpconnector } from '@switchyard/proto';
import type { CallRelay } from '../../domain/relay.js';
import { parseObject, parseRpcError } from './json.js';

/** The downstream client's answer to a relayed sampling/elicitation request. */
export function respondToUpstream(relay: CallRelay): UnaryHandler<typeof mcpconnector.RespondToUpstreamRequestSchema, typeof mcpconnector.RespondToUpstreamResponseSchema> {
  return async (request) => {
    const { outcome } = request;
    if (outcome.case === 'result') return { delivered: relay.answer(request.id, { result: parseObject(outcome.value, 'result') }) };
    if (outcome.case === 'error') return { delivered: relay.answer(request.id, { error: parseRpcError(outcome.value) }) };
    return { delivered: relay.answer(request.id, { error: { code: -32603, message: 'empty response' } }) };
  };
}

/** A downstream `notifications/cancelled` for a streamed call. */
export function cancelCall(relay: CallRelay): UnaryHandler<typeof mcpconnector.CancelCallRequestSchema, typeof mcpconnector.CancelCallResponseSchema> {
  return async (request) => ({ cancelled: relay.cancel(request.callKey, request.reason) });
}
