import type { Bus } from '@switchyard/bus';
import { create, fromBinary, mcpconnector, SUBJECTS, toBinary } from '@switchyard/proto';
import type { AnswerOutcome, RelayPeers } from '../../domain/relay-routing.js';

const encoder = new TextEncoder();

export interface BusRelayPeersOptions {
  /** The longest wait for a peer (a replica that stopped answering). */
  timeoutMs: number;
  /** A cancel goes to every replica and each answers; after an answer, wait this long for the others. */
  idleMs: number;
}

/** The other replicas over NATS request/reply (the subjects are served by `server/nats/relay-requests.ts`). */
export class BusRelayPeers implements RelayPeers {
  constructor(private readonly bus: Bus, private readonly options: BusRelayPeersOptions) {}

  async answer(replica: string, id: string, outcome: AnswerOutcome): Promise<boolean> {
    const value = encoder.encode(JSON.stringify('result' in outcome ? outcome.result : outcome.error));
    const request = create(mcpconnector.RespondToUpstreamRequestSchema, { id, outcome: 'result' in outcome ? { case: 'result', value } : { case: 'error', value } });
    const replies = await this.bus.request(SUBJECTS.mcpRelayRespond(replica), toBinary(mcpconnector.RespondToUpstreamRequestSchema, request), { timeoutMs: this.options.timeoutMs });
    return replies.some((r) => readable(() => fromBinary(mcpconnector.RespondToUpstreamResponseSchema, r).delivered));
  }

  async cancel(key: string, reason: string): Promise<boolean> {
    const request = create(mcpconnector.CancelCallRequestSchema, { callKey: key, reason });
    const cancelled = (r: Uint8Array): boolean => readable(() => fromBinary(mcpconnector.CancelCallResponseSchema, r).cancelled);
    const replies = await this.bus.request(SUBJECTS.mcpRelayCancel, toBinary(mcpconnector.CancelCallRequestSchema, request), {
      timeoutMs: this.options.timeoutMs, idleMs: this.options.idleMs, until: cancelled,
    });
    return replies.some(cancelled);
  }
}

function readable(read: () => boolean): boolean {
  try {
    return read();
  } catch {
    return false;
  }
}
