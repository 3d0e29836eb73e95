import type { Bus, BusMessage, Subscription } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { create, fromBinary, mcpconnector, SUBJECTS, toBinary } from '@switchyard/proto';
import type { CallRelay } from '../../domain/relay.js';
import { answerOutcome } from '../grpc/relay-rpcs.js';

/**
 * This replica's side of relay routing: answers to relayed requests it issued (its own
 * subject) and cancellations asked of every replica. Only local state is consulted, so a
 * request never travels further. Every cancel is answered, held or not, so the asker can
 * stop waiting once the replicas have spoken.
 */
export function subscribeRelayRequests(deps: { bus: Bus; relay: CallRelay; logger: Logger }): Subscription {
  const { bus, relay, logger } = deps;
  const reply = (msg: BusMessage, data: Uint8Array): void => {
    try {
      msg.respond?.(data);
    } catch (err) {
      logger.warn({ err, subject: msg.subject }, 'mcp.relay.reply_failed');
    }
  };
  const respond = bus.subscribe(SUBJECTS.mcpRelayRespond(relay.replica), (msg) => {
    let delivered = false;
    try {
      const request = fromBinary(mcpconnector.RespondToUpstreamRequestSchema, msg.data);
      delivered = relay.answer(request.id, answerOutcome(request.outcome));
    } catch (err) {
      logger.warn({ err }, 'mcp.relay.respond_unreadable');
    }
    reply(msg, toBinary(mcpconnector.RespondToUpstreamResponseSchema, create(mcpconnector.RespondToUpstreamResponseSchema, { delivered })));
  });
  const cancel = bus.subscribe(SUBJECTS.mcpRelayCancel, (msg) => {
    let cancelled = false;
    try {
      const request = fromBinary(mcpconnector.CancelCallRequestSchema, msg.data);
      cancelled = request.callKey !== '' && relay.cancel(request.callKey, request.reason);
    } catch (err) {
      logger.warn({ err }, 'mcp.relay.cancel_unreadable');
    }
    reply(msg, toBinary(mcpconnector.CancelCallResponseSchema, create(mcpconnector.CancelCallResponseSchema, { cancelled })));
  });
  return { unsubscribe: () => { respond.unsubscribe(); cancel.unsubscribe(); } };
}
