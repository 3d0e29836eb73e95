import type {
  AuditFilter, AuditView, ChatAuditRecord, ToolAuditRecord, Completion, KeyPatch, KeyPolicy, KeyView, LlmCall, NewKey, Page, StreamMessage,
} from './types.js';
import type { McpTool } from './mcp-tools.js';

/** Governance's view of keys, as the policy cache and auth state need it. */
export interface KeyDirectory {
  /** The key with this SHA-256 hash (hex), or null when none has it. */
  lookup(keyHash: string): Promise<KeyPolicy | null>;
  /** How many keys exist. */
  keyCount(): Promise<number>;
}

/** llm-proxy. */
export interface LlmGateway {
  complete(call: LlmCall): Promise<Completion>;
  stream(call: LlmCall): AsyncIterable<StreamMessage>;
  /** OpenAI's `{"object":"list","data":[...]}`, JSON bytes. */
  listModels(signal?: AbortSignal): Promise<Uint8Array>;
}

/** Key administration (governance). */
export interface KeyAdmin {
  create(input: NewKey): Promise<{ key: KeyView; secret: string }>;
  list(limit: number | undefined, cursor: string | undefined): Promise<Page<KeyView>>;
  get(id: string): Promise<KeyView>;
  update(id: string, patch: KeyPatch): Promise<KeyView>;
  remove(id: string): Promise<void>;
}

/** The durable audit log (telemetry). */
export interface AuditLog {
  list(filter: AuditFilter): Promise<Page<AuditView>>;
}

/** Never blocks and never throws: the record is buffered and published later. */
export interface AuditSink {
  recordChat(record: ChatAuditRecord): void;
}

/** A dependency that /readyz checks; rejects when unusable. */
export interface ReadinessProbe {
  readonly name: string;
  check(): Promise<void>;
}

/** mcp-connector's tool catalog. */
export interface ToolCatalogSource {
  list(): Promise<{ tools: McpTool[]; version: string }>;
}

export interface ToolExecution {
  readonly requestId: string;
  readonly keyId: string;
  readonly parentRequestId: string;
  /** The exposed tool name. */
  readonly name: string;
  /** A JSON object, as text. */
  readonly arguments: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Relay what the upstream emits while the tool runs (the /mcp server's SSE responses). */
  readonly stream?: ToolCallStream | undefined;
  /** Names a call answered as JSON for `McpForwarder.cancel` (a streamed call names itself in `stream`). */
  readonly callKey?: string | undefined;
}

type JsonObject = Record<string, unknown>;

/** A streamed tools/call: what comes back besides the result, and how to reach the call later. */
export interface ToolCallStream {
  /** Ask for progress (the downstream request carried a progressToken). */
  readonly progress: boolean;
  /** Names the call for `cancel` (`<session>:<request id>`). */
  readonly callKey: string;
  /** The downstream request's `_meta`, forwarded upstream. */
  readonly meta: JsonObject | undefined;
  /** The downstream session, when the call should run on its own upstream connection (a session lane). */
  readonly session?: string | undefined;
  onProgress(params: JsonObject): void;
  onLog(params: JsonObject): void;
  /** A server-to-client request to send downstream; its answer goes back through `McpForwarder.respond`. */
  onRequest(id: string, method: string, params: JsonObject): void;
}

/** A catalog entry (resource, resource template, prompt) of one MCP client. */
export interface McpCatalogItem {
  readonly client: string;
  /** Prompts: the exposed `<client>-<prompt>`; resources: the URI; templates: the URI template. */
  readonly name: string;
  readonly upstreamName: string;
  readonly definition: JsonObject;
}

export interface McpCatalogLists {
  readonly resources: readonly McpCatalogItem[];
  readonly resourceTemplates: readonly McpCatalogItem[];
  readonly prompts: readonly McpCatalogItem[];
}

/** A forwarded request's outcome: the upstream result or its JSON-RPC error, untouched. */
export type ForwardOutcome = { readonly result: JsonObject } | { readonly error: { code: number; message: string; data?: unknown } };

/** mcp-connector for everything the /mcp server forwards besides tools. */
export interface McpForwarder {
  listCatalog(clients: readonly string[]): Promise<McpCatalogLists>;
  forward(client: string, method: string, params: JsonObject, signal: AbortSignal): Promise<ForwardOutcome>;
  /** The downstream answer to a relayed server-to-client request; false when nothing waits for it. */
  respond(id: string, outcome: ForwardOutcome): Promise<boolean>;
  cancel(callKey: string, reason: string): Promise<boolean>;
}

/** mcp-connector's CallTool: resolves with the MCP CallToolResult (parsed JSON). */
export interface ToolExecutor {
  call(execution: ToolExecution): Promise<unknown>;
}

/** Never blocks and never throws, like `AuditSink`. */
export interface ToolAuditSink {
  recordTool(record: ToolAuditRecord): void;
}
