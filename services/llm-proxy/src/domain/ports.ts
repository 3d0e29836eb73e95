import type { ChatRequest, ChunkStream, ProviderKey, Target, Usage } from './types.js';

/** One upstream attempt: a target, the key to use, and the request. */
export interface UpstreamCall {
  target: Target;
  key: ProviderKey;
  request: ChatRequest;
  /** The caller's signal combined with the call deadline; the adapter adds the per-attempt timeout. */
  signal: AbortSignal;
}

export interface UpstreamCompletion {
  /** OpenAI chat completion JSON. */
  body: Uint8Array;
  usage: Usage | undefined;
}

/**
 * Calls providers. Failures are SwitchyardErrors: `upstream_error` (5xx, 429, network; with
 * `upstreamStatus` when the provider answered), `upstream_timeout`, `upstream_rejected`
 * (401/402/403), `invalid_argument` (400/404/422), `cancelled`.
 */
export interface ChatUpstream {
  complete(call: UpstreamCall): Promise<UpstreamCompletion>;
  /** Resolves once the provider accepted the request; chunks follow. */
  stream(call: UpstreamCall): Promise<ChunkStream>;
}

export type RetryReason = 'server_error' | 'network' | 'timeout' | 'rate_limited' | 'auth';

/** What routing reports as it goes (metrics, logs). */
export interface RouterEvents {
  attempt(e: { provider: string; keyName: string; seconds: number; ok: boolean }): void;
  retry(e: { provider: string; reason: RetryReason; delayMs: number }): void;
  fallback(e: { from: string; to: string; kind: string }): void;
}

/** Resolves after `ms`, rejects when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;
/** Uniform in [0, 1). */
export type Random = () => number;

export const noEvents: RouterEvents = { attempt: () => {}, retry: () => {}, fallback: () => {} };

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
