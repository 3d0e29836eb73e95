import type { McpClientConfig } from '../config.js';

/** A JSON object as the upstream sent it (tool definitions, results): passed through untouched. */
export type JsonObject = Record<string, unknown>;

/** What one upstream offers; every item is its definition JSON as listed. */
export interface UpstreamCatalog {
  tools: JsonObject[];
  resources: JsonObject[];
  resourceTemplates: JsonObject[];
  prompts: JsonObject[];
}

export interface CallOptions {
  signal: AbortSignal;
  timeoutMs: number;
}

/** A JSON-RPC error object as an upstream or downstream peer sent it. */
export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

/** A peer answered with a JSON-RPC error: passed on with its code, message and data. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(readonly body: RpcErrorBody) {
    super(body.message);
  }
}

/** What a tool call emits while it runs, for a caller that relays it downstream. */
export interface CallObserver {
  /** notifications/progress params without the token. Only asked for when set. */
  onProgress?(params: JsonObject): void;
  /** notifications/message params (attributed to this call). */
  onLog?(params: JsonObject): void;
  /** A server-to-client request (sampling, elicitation, roots); resolves with the result or rejects with RpcError. */
  onRequest?(method: string, params: JsonObject, signal: AbortSignal): Promise<JsonObject>;
}

export interface ToolCallOptions extends CallOptions {
  observer?: CallObserver;
  /** The downstream request's `_meta` (progressToken excluded), passed upstream. */
  meta?: JsonObject;
}

/** Why an upstream operation failed, as the domain needs to know it. */
export type UpstreamFailure = 'timeout' | 'unauthorized' | 'closed' | 'error';

/** An upstream failure, classified by the adapter. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(readonly failure: UpstreamFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One live connection to an upstream MCP server. */
export interface UpstreamSession {
  /** Every page of tools, plus resources, templates and prompts when the server declares them. */
  catalog(signal: AbortSignal): Promise<UpstreamCatalog>;
  /** The CallToolResult JSON exactly as the upstream sent it (`isError` results included). */
  callTool(name: string, args: JsonObject, options: ToolCallOptions): Promise<JsonObject>;
  /** Any other request (resources/read, prompts/get, ...): the result JSON untouched; a JSON-RPC error rejects with RpcError. */
  request(method: string, params: JsonObject, options: CallOptions): Promise<JsonObject>;
  /** A liveness check (ping on legacy connections, server/discover on modern ones). */
  check(options: CallOptions): Promise<void>;
  /** The negotiated protocol era. */
  readonly era: 'legacy' | 'modern' | undefined;
  /** The child's pid for stdio upstreams. */
  readonly pid: number | undefined;
  /** Closes the connection; a stdio child is killed. Idempotent. */
  close(): Promise<void>;
}

export interface SessionEvents {
  /** The transport closed (child exited, stream ended). */
  onClosed(): void;
  /** The upstream said its tools, resources or prompts changed. */
  onListChanged(): void;
  /** A notifications/message not tied to a request the transport can tell. */
  onLog?(params: JsonObject): void;
  /** A server-to-client request (sampling, elicitation, roots). */
  onRequest?(method: string, params: JsonObject, signal: AbortSignal): Promise<JsonObject>;
  /** notifications/resources/updated: a resource this connection subscribed to changed. */
  onResourceUpdated?(uri: string): void;
}

export interface ConnectOptions {
  /** The era a connection to the same upstream negotiated: `legacy` skips the `server/discover` probe. */
  era?: 'legacy' | 'modern' | undefined;
}

/** Opens sessions to upstreams (the MCP SDK adapter). */
export interface UpstreamConnector {
  connect(config: McpClientConfig, events: SessionEvents, signal: AbortSignal, options?: ConnectOptions): Promise<UpstreamSession>;
}

/** Announces `notifications/resources/updated` from an upstream (the bus adapter); edge routes it to the subscribed sessions. */
export interface ResourceUpdatePublisher {
  resourceUpdated(client: string, uri: string): void;
}

/** Announces catalog changes (the bus adapter). */
export interface CatalogPublisher {
  catalogChanged(client: string, catalogVersion: string): void;
}
