/** Domain types: no wire shapes (proto, HTTP) and no I/O. */

export type JsonObject = Record<string, unknown>;

export type ProviderKind = 'openai' | 'anthropic';

export interface ProviderKey {
  name: string;
  value: string;
  weight: number;
  /** Only these models; undefined: every model. */
  models?: readonly string[];
}

export interface RetryConfig {
  maxRetries: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

export interface Provider {
  id: string;
  kind: ProviderKind;
  keys: readonly ProviderKey[];
  retry: RetryConfig;
  timeoutMs: number;
  /** Advertised by ListModels. */
  models: readonly string[];
}

/** One place a request can go: a provider and the model as that provider names it. */
export interface Target {
  provider: Provider;
  model: string;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** How a request was served, for the caller and for audit. */
export interface RouteOutcome {
  provider: string;
  model: string;
  keyName: string;
  /** Upstream attempts, retries and fallbacks included. */
  attempts: number;
  /** Fallback targets tried before the one that answered. */
  fallbacksUsed: number;
  usage: Usage | undefined;
}

/** Who is calling, from the wire's CallContext. */
export interface CallInfo {
  requestId: string;
  keyId: string;
  parentRequestId: string;
}

/** A parsed chat request: the OpenAI body (without `fallbacks`) and what routing needs. */
export interface ChatRequest {
  call: CallInfo;
  /** The OpenAI chat body, `fallbacks` removed; adapters rewrite `model` per target. */
  body: JsonObject;
  /** The model as the client named it. */
  model: string;
  stream: boolean;
  /** Whether the client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
  /** The primary target first, then fallbacks in order. */
  targets: readonly Target[];
  /** Deadline for the whole call (0: none beyond the providers' per-attempt timeouts). */
  timeoutMs: number;
}

/** A stream of OpenAI `chat.completion.chunk` JSON payloads, with the usage once known. */
export interface ChunkStream extends AsyncIterable<Uint8Array> {
  usage(): Usage | undefined;
}

export interface CompletionResult {
  /** The OpenAI chat completion JSON. */
  body: Uint8Array;
  outcome: RouteOutcome;
}

export interface StreamResult {
  /** OpenAI chunk JSON payloads; ending it early (return/break) aborts the upstream. */
  chunks: AsyncIterable<Uint8Array>;
  /** Complete once `chunks` is exhausted. */
  outcome(): RouteOutcome;
}
