import { randomUUID } from 'node:crypto';
import { RpcError, type JsonObject, type RpcErrorBody } from './ports.js';

interface Pending {
  resolve(result: JsonObject): void;
  reject(err: Error): void;
}

/**
 * What ties a streamed tool call to the messages that come back for it on other
 * requests: the downstream client's answers to relayed server-to-client requests
 * (by a gateway-wide id) and its `notifications/cancelled` (by the call key edge chose).
 */
export class CallRelay {
  /**
   * `replica` names this mcp-connector replica inside every relayed request id
   * (`sy-<replica>-<uuid>`), so an answer that reaches another replica can be routed here.
   */
  constructor(readonly replica = '') {}

  readonly #pending = new Map<string, Pending>();
  readonly #calls = new Map<string, AbortController>();

  /** A relayed request waits here for RespondToUpstream; the signal (upstream cancel, call end) rejects it. */
  awaitAnswer(signal: AbortSignal): { id: string; answer: Promise<JsonObject> } {
    const id = this.replica === '' ? `sy-${randomUUID()}` : `sy-${this.replica}-${randomUUID()}`;
    const answer = new Promise<JsonObject>((resolve, reject) => {
      const done = (): void => { this.#pending.delete(id); signal.removeEventListener('abort', onAbort); };
      const onAbort = (): void => { done(); reject(new RpcError({ code: -32800, message: 'request cancelled' })); };
      if (signal.aborted) { onAbort(); return; }
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (r) => { done(); resolve(r); },
        reject: (e) => { done(); reject(e); },
      });
    });
    return { id, answer };
  }

  /** The downstream answer to relayed request `id`; false when nothing waits for it. */
  answer(id: string, outcome: { result: JsonObject } | { error: RpcErrorBody }): boolean {
    const pending = this.#pending.get(id);
    if (!pending) return false;
    if ('result' in outcome) pending.resolve(outcome.result);
    else pending.reject(new RpcError(outcome.error));
    return true;
  }

  /**
   * A running call: its controller aborts when `signal` does (the RPC went away) or when
   * CancelCall names `key` (empty: not cancellable by key). `release` undoes both.
   */
  track(key: string, signal: AbortSignal): { controller: AbortController; release(): void } {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    if (key !== '') this.#calls.set(key, controller);
    return {
      controller,
      release: () => {
        signal.removeEventListener('abort', onAbort);
        if (key !== '' && this.#calls.get(key) === controller) this.#calls.delete(key);
      },
    };
  }

  cancel(key: string, reason: string): boolean {
    const controller = this.#calls.get(key);
    if (!controller) return false;
    controller.abort(new Error(reason || 'cancelled by the client'));
    return true;
  }
}
