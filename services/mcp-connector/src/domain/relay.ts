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

  /** Registers a running call under `key` (empty: not cancellable by key); returns the unregister function. */
  track(key: string, controller: AbortController): () => void {
    if (key === '') return () => undefined;
    this.#calls.set(key, controller);
    return () => { if (this.#calls.get(key) === controller) this.#calls.delete(key); };
  }

  cancel(key: string, reason: string): boolean {
    const controller = this.#calls.get(key);
    if (!controller) return false;
    controller.abort(new Error(reason || 'cancelled by the client'));
    return true;
  }
}
