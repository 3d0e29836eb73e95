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
}

/** mcp-connector's CallTool: resolves with the MCP CallToolResult (parsed JSON). */
export interface ToolExecutor {
  call(execution: ToolExecution): Promise<unknown>;
}

/** Never blocks and never throws, like `AuditSink`. */
export interface ToolAuditSink {
  recordTool(record: ToolAuditRecord): void;
}
