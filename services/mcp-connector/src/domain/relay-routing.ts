import type { JsonObject, RpcErrorBody } from './ports.js';
import type { CallRelay } from './relay.js';

export type AnswerOutcome = { result: JsonObject } | { error: RpcErrorBody };

/** The other mcp-connector replicas, as far as relayed answers and cancellations go. */
export interface RelayPeers {
  /** Hands the answer to relayed request `id` to `replica`; false when it holds nothing under that id (or is gone). */
  answer(replica: string, id: string, outcome: AnswerOutcome): Promise<boolean>;
  /** Asks every other replica to cancel the call with this key; true when one did. */
  cancel(key: string, reason: string): Promise<boolean>;
}

const REPLICA_ID = /^sy-([0-9a-f]{12})-/;

/** The replica a relayed request id names (`sy-<replica>-<uuid>`); undefined for any other shape. */
export function replicaOf(id: string): string | undefined {
  return REPLICA_ID.exec(id)?.[1];
}

/**
 * RespondToUpstream and CancelCall with several replicas behind one Service: the replica
 * that receives them answers from its own memory when it holds the call (no bus trip),
 * else asks the peers over the bus.
 */
export class RoutedRelay {
  constructor(readonly local: CallRelay, private readonly peers?: RelayPeers) {}

  async answer(id: string, outcome: AnswerOutcome): Promise<boolean> {
    if (this.local.answer(id, outcome)) return true;
    const replica = replicaOf(id);
    if (this.peers === undefined || replica === undefined || replica === this.local.replica) return false;
    return this.peers.answer(replica, id, outcome);
  }

  async cancel(key: string, reason: string): Promise<boolean> {
    if (key === '') return false;
    if (this.local.cancel(key, reason)) return true;
    return this.peers ? this.peers.cancel(key, reason) : false;
  }
}
