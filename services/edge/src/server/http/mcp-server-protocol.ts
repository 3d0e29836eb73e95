import { randomBytes } from 'node:crypto';
import { hmac, signedToken, verifiedBody } from './signed-token.js';
import { CATALOG_METHODS, dispatchCatalog, type CatalogSource } from './mcp-server-catalog.js';

/**
 * The northbound MCP server's protocol core (legacy Streamable HTTP era, up to
 * 2025-11-25): JSON-RPC dispatch, HMAC-signed session ids and Origin rules. Pure:
 * no HTTP, no I/O besides the tool source handed in.
 *
 * Stateless by design: nothing the gateway answers depends on per-session state,
 * so a session id is only a signed token. Any edge replica holding the same secret
 * accepts any session id another replica issued; a forged one fails verification.
 */

export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
export const LATEST_PROTOCOL_VERSION = '2025-11-25';
/** Assumed when a request after initialize carries no `MCP-Protocol-Version`. */
export const DEFAULT_PROTOCOL_VERSION = '2025-03-26';

export const JSONRPC_PARSE_ERROR = -32700;
export const JSONRPC_INVALID_REQUEST = -32600;
export const JSONRPC_METHOD_NOT_FOUND = -32601;
export const JSONRPC_INVALID_PARAMS = -32602;
export const JSONRPC_INTERNAL_ERROR = -32603;
/**
 * A tools/call the client cancelled (`notifications/cancelled`): the spec wants no response.
 * An SSE answer ends without one; a JSON-only answer must still be one JSON object, so it
 * is this error (the SDK drops answers to requests it no longer waits for).
 */
export const REQUEST_CANCELLED = -32800;

export type JsonRpcId = string | number;
type Json = Record<string, unknown>;

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function rpcError(id: JsonRpcId | null, code: number, message: string): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/** What one incoming message is, as the transport rules need to know. */
export type Classified =
  | { kind: 'request'; id: JsonRpcId; method: string; params: Json | undefined }
  | { kind: 'notification'; method: string; params: Json | undefined }
  | { kind: 'response'; id: JsonRpcId; result: unknown; error: unknown }
  | { kind: 'invalid'; id: JsonRpcId | null; message: string };

export function classify(message: unknown): Classified {
  if (!isObject(message) || message.jsonrpc !== '2.0') return { kind: 'invalid', id: null, message: 'not a JSON-RPC 2.0 message' };
  const { id, method, params } = message;
  const validId = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if (typeof method !== 'string') {
    if (validId && ('result' in message || 'error' in message)) return { kind: 'response', id, result: message.result, error: message.error };
    return { kind: 'invalid', id: validId ? id : null, message: 'missing method' };
  }
  if (params !== undefined && !isObject(params)) return { kind: 'invalid', id: validId ? id : null, message: 'params must be an object' };
  if (id === undefined) return { kind: 'notification', method, params };
  if (!validId) return { kind: 'invalid', id: null, message: 'id must be a string or a number' };
  return { kind: 'request', id, method, params };
}

/** The protocol version answered to an initialize request (the client's when supported). */
export function negotiateVersion(requested: unknown): string {
  return typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

/** `MCP-Protocol-Version` on a request after initialize: absent → the default; unsupported → undefined (400). */
export function headerVersion(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return DEFAULT_PROTOCOL_VERSION;
  return SUPPORTED_PROTOCOL_VERSIONS.includes(header) ? header : undefined;
}

// ---------------------------------------------------------------- sessions

function mac(secret: string, nonce: string, scope: string): string {
  return hmac(secret, `mcp-session\0${nonce}\0${scope}`);
}

/**
 * A new session id: `sy1.<random nonce>.<HMAC(nonce, scope)>`, visible ASCII only.
 * `scope` binds it (the caller's key id): a session issued to one key is not accepted for another.
 */
export function issueSessionId(secret: string, scope: string): string {
  const nonce = randomBytes(18).toString('base64url');
  return signedToken(nonce, mac(secret, nonce, scope));
}

/** True when `id` was issued by `issueSessionId` with this secret and scope. Constant-time on the MAC. */
export function verifySessionId(secret: string, scope: string, id: string): boolean {
  const nonce = verifiedBody(id, (n) => mac(secret, n, scope));
  return nonce !== undefined && /^[A-Za-z0-9_-]{16,64}$/.test(nonce);
}

// ---------------------------------------------------------------- Origin

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The DNS-rebinding rule: an absent Origin passes (non-browser clients); a present one
 * must be a local host (any port) or exactly one of `allowed` (`scheme://host[:port]`).
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname)) return true;
  return allowed.some((a) => {
    try {
      return new URL(a).origin === url.origin;
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------- dispatch

/** One tool as this endpoint exposes it. */
export interface ExposedTool {
  /** The name clients see and call. */
  readonly name: string;
  /** The MCP tool definition to list (its `name` is replaced by `name`). */
  readonly definition: Readonly<Json>;
}

/** What a streamed tools/call relays to the caller while it runs (messages go on the POST's SSE stream). */
export interface CallHooks {
  readonly progress: boolean;
  readonly meta: Json | undefined;
  /** The downstream request id, to name the call for `notifications/cancelled`. */
  readonly requestId: JsonRpcId;
  onProgress(params: Json): void;
  onLog(params: Json): void;
  onRequest(id: string, method: string, params: Json): void;
}

/** A tool result (`CallToolResult`) or a failure that becomes one with `isError`. */
export interface McpServerSource {
  tools(): readonly ExposedTool[] | Promise<readonly ExposedTool[]>;
  /** One listed tool by the name clients call it (a call need not build the whole list); absent: found in `tools()`. */
  tool?(name: string): ExposedTool | undefined | Promise<ExposedTool | undefined>;
  /** Runs a listed tool; resolves with the MCP CallToolResult. Failures may reject (they become `isError` results). */
  call(name: string, args: Json, signal: AbortSignal, hooks?: CallHooks): Promise<unknown>;
  /** Resources, templates, prompts and completions; absent: only tools are served. */
  catalog?: CatalogSource;
  /** The message of a failed call, safe to show the client. */
  errorMessage(err: unknown): string;
  /** A failed call that the client cancelled: it gets no result (see `REQUEST_CANCELLED`). */
  cancelled?(err: unknown): boolean;
  /**
   * For a tool that is not listed: the safe message when it exists but the caller may
   * not run it (answered as an `isError` result), undefined when it is unknown (-32602).
   */
  denied?(name: string): string | undefined | Promise<string | undefined>;
}

export interface ServerInfo {
  readonly name: string;
  readonly version: string;
}

export interface DispatchContext {
  readonly source: McpServerSource;
  readonly info: ServerInfo;
  readonly signal: AbortSignal;
  /** Sends a message to the caller before the response (on an SSE response); absent on JSON-only answers. */
  readonly emit?: ((message: Json) => void) | undefined;
  /** The minimum log level (`logging/setLevel`, or per request in the modern era); undefined: every level; `NO_LOGS`: none. */
  readonly logLevel?: string | undefined;
  /** A last check of a listed tool's call before it runs (modern era: `Mcp-Param-*` headers); an error refuses it. */
  checkCall?(tool: ExposedTool, args: Json): { code: number; message: string } | undefined;
  setLogLevel?(level: string): void | Promise<void>;
}

export const LOG_LEVELS: readonly string[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** A modern request without `io.modelcontextprotocol/logLevel`: no `notifications/message` at all. */
export const NO_LOGS = 'off';

/** What the server offers: everything with mcp-connector's catalog, tools only without it. */
export function serverCapabilities(source: McpServerSource, _era: 'legacy' | 'modern'): Json {
  if (!source.catalog) return { tools: { listChanged: false } };
  // Both eras: legacy resources/subscribe, modern subscriptions/listen with resourceSubscriptions.
  const resources = { subscribe: true, listChanged: true };
  return { tools: { listChanged: true }, resources, prompts: { listChanged: true }, logging: {}, completions: {} };
}

function logAllowed(min: string | undefined, level: unknown): boolean {
  if (min === undefined) return true;
  if (min === NO_LOGS) return false;
  const at = typeof level === 'string' ? LOG_LEVELS.indexOf(level) : -1;
  return at === -1 || at >= LOG_LEVELS.indexOf(min);
}

function callHooks(id: JsonRpcId, params: Json | undefined, ctx: DispatchContext): CallHooks | undefined {
  const meta = isObject(params?._meta) ? params._meta : undefined;
  const emit = ctx.emit;
  if (!emit) return undefined;
  const token = meta?.progressToken;
  return {
    progress: typeof token === 'string' || typeof token === 'number',
    meta,
    requestId: id,
    onProgress: (p) => emit({ jsonrpc: '2.0', method: 'notifications/progress', params: { ...p, progressToken: token } }),
    onLog: (p) => { if (logAllowed(ctx.logLevel, p.level)) emit({ jsonrpc: '2.0', method: 'notifications/message', params: p }); },
    onRequest: (rid, method, p) => emit({ jsonrpc: '2.0', id: rid, method, params: p }),
  };
}

export function listEntry(tool: ExposedTool): Json {
  return { ...tool.definition, name: tool.name };
}

/**
 * Answers one JSON-RPC request. Never rejects: protocol errors are JSON-RPC errors,
 * tool failures and policy denials are results with `isError: true`.
 */
export async function dispatch(req: { id: JsonRpcId; method: string; params: Json | undefined }, ctx: DispatchContext): Promise<JsonRpcResponse> {
  const { id, params } = req;
  switch (req.method) {
    case 'initialize':
      return {
        jsonrpc: '2.0', id,
        result: {
          protocolVersion: negotiateVersion(params?.protocolVersion),
          capabilities: serverCapabilities(ctx.source, 'legacy'),
          serverInfo: { name: ctx.info.name, version: ctx.info.version },
        },
      };
    case 'ping':
      return { jsonrpc: '2.0', id, result: {} };
    case 'tools/list': {
      const tools = await ctx.source.tools();
      return { jsonrpc: '2.0', id, result: { tools: tools.map(listEntry) } };
    }
    case 'tools/call': {
      const name = params?.name;
      if (typeof name !== 'string' || name === '') return rpcError(id, JSONRPC_INVALID_PARAMS, "'name' must be a non-empty string");
      const args = params?.arguments ?? {};
      if (!isObject(args)) return rpcError(id, JSONRPC_INVALID_PARAMS, "'arguments' must be an object");
      const tool = ctx.source.tool ? await ctx.source.tool(name) : (await ctx.source.tools()).find((t) => t.name === name);
      if (tool === undefined) {
        const denied = await ctx.source.denied?.(name);
        if (denied !== undefined) return { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: denied }], isError: true } };
        return rpcError(id, JSONRPC_INVALID_PARAMS, `Unknown tool: ${name}`);
      }
      const refused = ctx.checkCall?.(tool, args);
      if (refused !== undefined) return rpcError(id, refused.code, refused.message);
      try {
        return { jsonrpc: '2.0', id, result: await ctx.source.call(name, args, ctx.signal, callHooks(id, params, ctx)) };
      } catch (err) {
        if (ctx.source.cancelled?.(err) === true) return rpcError(id, REQUEST_CANCELLED, 'Request cancelled');
        return { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: ctx.source.errorMessage(err) }], isError: true } };
      }
    }
    case 'logging/setLevel': {
      const level = params?.level;
      if (typeof level !== 'string' || !LOG_LEVELS.includes(level)) return rpcError(id, JSONRPC_INVALID_PARAMS, `'level' must be one of ${LOG_LEVELS.join(', ')}`);
      try {
        await ctx.setLogLevel?.(level);
      } catch {
        return rpcError(id, JSONRPC_INTERNAL_ERROR, 'Session store unavailable');
      }
      return { jsonrpc: '2.0', id, result: {} };
    }
    default: {
      const catalog = ctx.source.catalog;
      if (catalog && CATALOG_METHODS.has(req.method)) {
        const answer = await dispatchCatalog(req.method, params, catalog);
        return 'result' in answer ? { jsonrpc: '2.0', id, result: answer.result } : { jsonrpc: '2.0', id, error: answer.error };
      }
      return rpcError(id, JSONRPC_METHOD_NOT_FOUND, `Method not found: ${req.method}`);
    }
  }
}
