import type { ModelMatcher } from '@switchyard/config';
import type { Limits, ToolScope } from '@switchyard/limits';

/** Who a request runs as: a key's policy, or the anonymous caller of an open gateway. */
export interface Principal {
  /** Empty for the anonymous caller. */
  readonly keyId: string;
  readonly models: ModelMatcher;
  readonly allowedModels: readonly string[];
  /** The key's team and customer (the team's customer when the key has none); '' when none. */
  readonly teamId: string;
  readonly customerId: string;
  /** Provider patterns (the part of `provider/model` before the slash), compiled. */
  readonly providers: ModelMatcher;
  readonly allowedProviders: readonly string[];
  /** The MCP tools the key may see and run, before client configs and headers narrow it. */
  readonly toolScope: ToolScope;
  /** Slugs of the enabled tool groups the key reaches (sorted). */
  readonly groupSlugs: readonly string[];
  /** Budgets and rate limits up the key's chain; absent for the anonymous caller: nothing is counted. */
  readonly limits?: Limits | undefined;
}

/** A virtual key's policy as the cache holds it (compiled, no wire types). */
export interface KeyPolicy extends Principal {
  readonly enabled: boolean;
  /** Epoch milliseconds; `Infinity` when the key never expires. */
  readonly expiresAtMs: number;
  /** Budgets and rate limits up the key's chain (empty lists: nothing to count). */
  readonly limits: Limits;
}

export interface Usage {
  readonly promptTokens: bigint;
  readonly completionTokens: bigint;
}

/** Which provider served a request (llm-proxy's RouteOutcome is structurally one). */
export interface RouteOutcome {
  readonly provider: string;
  readonly model: string;
  readonly attempts: number;
  readonly fallbacksUsed: number;
  readonly usage?: Usage | undefined;
}

/** One event of a streamed completion (llm-proxy's oneof is structurally one: no copy). */
export type StreamEvent =
  | { readonly case: 'chunk'; readonly value: Uint8Array }
  | { readonly case: 'outcome'; readonly value: RouteOutcome }
  | { readonly case: undefined; readonly value?: undefined };

/** One message of a streamed completion, as llm-proxy sends it. */
export interface StreamMessage {
  readonly event: StreamEvent;
}

/** What a chat call to llm-proxy needs; the edge's per-request exchange implements it. */
export interface LlmCall {
  readonly requestId: string;
  readonly keyId: string;
  /** The client's JSON body, untouched. */
  readonly body: Uint8Array;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** The caller's W3C traceparent, passed on to llm-proxy. */
  readonly traceparent: string | undefined;
}

export interface Completion {
  readonly body: Uint8Array;
  readonly outcome?: RouteOutcome | undefined;
}

/** What an audited chat request leaves behind (the exchange implements it). */
export interface ChatAuditRecord {
  readonly requestId: string;
  readonly keyId: string;
  /** Epoch milliseconds when the request arrived. */
  readonly receivedAtMs: number;
  readonly model: string;
  readonly stream: boolean;
  readonly status: number;
  readonly errorKind: string;
  readonly latencyMs: number;
  readonly outcome: RouteOutcome | undefined;
  readonly route: string;
  readonly traceId: string;
  readonly body: Uint8Array;
  readonly responseBody: Uint8Array | undefined;
}

/** What an executed tool call leaves behind (`kind: 'tool'` audit event). */
export interface ToolAuditRecord {
  readonly requestId: string;
  /** The chat request whose suggestion this call executes (`x-switchyard-parent-request-id`), or ''. */
  readonly parentRequestId: string;
  readonly keyId: string;
  readonly receivedAtMs: number;
  /** The exposed tool name. */
  readonly tool: string;
  /** The MCP client serving the tool, '' when unknown. */
  readonly client: string;
  readonly status: number;
  readonly errorKind: string;
  readonly latencyMs: number;
  readonly route: string;
  readonly traceId: string;
  readonly body: Uint8Array;
  readonly responseBody: Uint8Array | undefined;
}

/** Client name -> tool names (`*`: all). */
export type ToolAllowListView = Record<string, string[]>;

/** A virtual key as the admin API shows it. */
export interface KeyView {
  id: string;
  name: string;
  enabled: boolean;
  expiresAt: Date | null;
  allowedModels: string[];
  keyPrefix: string;
  createdAt: Date | null;
  updatedAt: Date | null;
  teamId: string | null;
  customerId: string | null;
  allowedProviders: string[];
  /** null: no allow-list of its own. */
  mcpTools: ToolAllowListView | null;
  toolGroups: string[];
}

export interface NewKey {
  name: string;
  enabled: boolean;
  expiresAt: Date | null;
  allowedModels: string[];
  teamId?: string | null | undefined;
  customerId?: string | null | undefined;
  allowedProviders?: string[] | undefined;
  mcpTools?: ToolAllowListView | null | undefined;
}

/** Only the fields present change; `null` clears (expiry, team, customer, MCP allow-list). */
export interface KeyPatch {
  name?: string;
  enabled?: boolean;
  expiresAt?: Date | null;
  allowedModels?: string[];
  teamId?: string | null;
  customerId?: string | null;
  allowedProviders?: string[];
  mcpTools?: ToolAllowListView | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string;
}

export interface AuditFilter {
  limit?: number;
  cursor?: string;
  keyId?: string;
  model?: string;
  provider?: string;
  kind?: string;
  requestId?: string;
  outcome?: 'success' | 'error';
  since?: Date;
  until?: Date;
}

/** An audit event as the admin API renders it (snake_case JSON, mapped once in @switchyard/proto). */
export type { AuditEventJson as AuditView } from '@switchyard/proto';
