import type { UnaryHandler, mcpconnector } from '@switchyard/proto';
import type { AnswerOutcome, RoutedRelay } from '../../domain/relay-routing.js';
import { parseObject, parseRpcError } from './json.js';

/** The wire outcome of a RespondToUpstreamRequest (also the payload peers route to each other). */
export function answerOutcome(outcome: mcpconnector.RespondToUpstreamRequest['outcome']): AnswerOutcome {
  if (outcome.case === 'result') return { result: parseObject(outcome.value, 'result') };
  if (outcome.case === 'error') return { error: parseRpcError(outcome.value) };
  return { error: { code: -32603, message: 'empty response' } };
}

/** The downstream client's answer to a relayed sampling/elicitation request, wherever its call runs. */
export function respondToUpstream(relay: RoutedRelay): UnaryHandler<typeof mcpconnector.RespondToUpstreamRequestSchema, typeof mcpconnector.RespondToUpstreamResponseSchema> {
  return async (request) => ({ delivered: await relay.answer(request.id, answerOutcome(request.outcome)) });
}

/** A downstream `notifications/cancelled`, wherever the call runs. */
export function cancelCall(relay: RoutedRelay): UnaryHandler<typeof mcpconnector.CancelCallRequestSchema, typeof mcpconnector.CancelCallResponseSchema> {
  return async (request) => ({ cancelled: await relay.cancel(request.callKey, request.reason) });
}
