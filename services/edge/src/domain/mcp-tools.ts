import { SwitchyardError } from '@switchyard/errors';
import { toolInScope, type ToolScope } from '@switchyard/limits';

/** One tool of the MCP catalog, as the edge injects it (mapped from mcp-connector's wire type). */
export interface McpTool {
  /** The exposed name (`<client>-<tool>`): what the model sees and what execute takes. */
  readonly name: string;
  readonly client: string;
  readonly description: string | undefined;
  /** JSON Schema of the arguments (MCP `inputSchema`). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** On its client's `tools_to_auto_execute`: agent mode runs it without asking the app. */
  readonly autoExecute?: boolean | undefined;
  /** The tool's name on its upstream server (what `/mcp/clients/<name>` shows). */
  readonly upstreamName?: string | undefined;
  /** The upstream's definition, untouched (what `/mcp` lists, renamed). */
  readonly definition?: Readonly<Record<string, unknown>> | undefined;
  /** Price per call, micro-USD (the client's `tool_pricing`); absent or 0: free. */
  readonly priceMicros?: number | undefined;
}

/**
 * Which catalog tools a caller gets: the narrowing asked for by the request headers
 * (`undefined` means no filter) intersected with the key's tool scope (absent or
 * unrestricted: no narrowing). The catalog itself is already cut to each client's
 * `tools_to_execute`, so the three filters combine as an intersection.
 */
export interface ToolFilter {
  readonly clients: readonly string[] | undefined;
  readonly tools: readonly string[] | undefined;
  readonly scope?: ToolScope | undefined;
}

/** The request headers that narrow the MCP tools a request sees (comma-separated, `*` wildcards). */
export const MCP_INCLUDE_CLIENTS = 'x-switchyard-mcp-include-clients';
export const MCP_INCLUDE_TOOLS = 'x-switchyard-mcp-include-tools';

export const NO_FILTER: ToolFilter = { clients: undefined, tools: undefined };

/** The name a tool has on its upstream server: what tool scopes and groups list. */
export function upstreamNameOf(tool: McpTool): string {
  if (tool.upstreamName !== undefined) return tool.upstreamName;
  const prefix = `${tool.client}-`;
  return tool.name.startsWith(prefix) ? tool.name.slice(prefix.length) : tool.name;
}

/** Whether the key's scope lets the caller see and run this catalog tool. */
export function inScope(scope: ToolScope | undefined, tool: McpTool): boolean {
  return scope === undefined || scope.unrestricted || toolInScope(scope, tool.client, upstreamNameOf(tool));
}

/** Whether a catalog tool passes every filter (headers and scope). */
export function toolAllowed(tool: McpTool, filter: ToolFilter): boolean {
  return allowed(filter.clients, tool.client) && allowed(filter.tools, tool.name) && inScope(filter.scope, tool);
}

/** 403 `mcp_tool_blocked`: the tool is outside what this caller may run. */
export function toolBlockedError(name: string): SwitchyardError {
  return new SwitchyardError('permission_denied', `tool '${name}' is not available to this caller (key scope, tool groups or include headers)`, {
    code: 'mcp_tool_blocked', param: 'function.name',
  });
}

/**
 * A comma-separated include header: absent → `undefined` (no filter); present but
 * empty → `[]` (nothing matches). Entries are trimmed, empties dropped.
 */
export function parseIncludeHeader(value: string | readonly string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const joined = typeof value === 'string' ? value : value.join(',');
  return joined.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** `*` matches any run of characters (including none); everything else is literal. */
export function matchesPattern(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*');
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!name.startsWith(first) || name.length < first.length + last.length) return false;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    const found = name.indexOf(part, at);
    if (found === -1) return false;
    at = found + part.length;
  }
  return name.length - last.length >= at && name.endsWith(last);
}

function allowed(patterns: readonly string[] | undefined, name: string): boolean {
  return patterns === undefined || patterns.some((p) => matchesPattern(p, name));
}

/** The catalog's tools that pass the header filters (clients by name, tools by exposed name) and the key's scope. */
export function selectTools(tools: readonly McpTool[], filter: ToolFilter): readonly McpTool[] {
  if (filter.clients === undefined && filter.tools === undefined && (filter.scope === undefined || filter.scope.unrestricted)) return tools;
  return tools.filter((t) => toolAllowed(t, filter));
}

function callerToolName(tool: unknown): string | undefined {
  if (typeof tool !== 'object' || tool === null) return undefined;
  const fn = (tool as { function?: unknown }).function;
  if (typeof fn !== 'object' || fn === null) return undefined;
  const name = (fn as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** True when some tool of the catalog may be auto-executed (a loop, no allocation). */
export function hasAutoExecute(tools: readonly McpTool[]): boolean {
  for (const t of tools) if (t.autoExecute === true) return true;
  return false;
}

/**
 * The exposed names of the selected auto-executable tools that injection adds (a
 * caller tool of the same name wins, so it is never auto-executed); `undefined` when none.
 */
export function autoExecutableNames(callerTools: readonly unknown[] | null | undefined, selected: readonly McpTool[]): ReadonlySet<string> | undefined {
  let names: Set<string> | undefined;
  for (const t of selected) {
    if (t.autoExecute !== true) continue;
    if (callerTools?.some((c) => callerToolName(c) === t.name)) continue;
    (names ??= new Set()).add(t.name);
  }
  return names;
}

export interface OpenAITool {
  type: 'function';
  function: { name: string; description?: string; parameters: Readonly<Record<string, unknown>> };
}

export function toOpenAITool(tool: McpTool): OpenAITool {
  return {
    type: 'function',
    function: tool.description === undefined
      ? { name: tool.name, parameters: tool.parameters }
      : { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

/**
 * The caller's tools followed by the MCP tools whose names the caller did not send;
 * `undefined` when nothing is added (the body then travels untouched).
 */
export function mergeTools(callerTools: readonly unknown[] | null | undefined, mcp: readonly McpTool[]): unknown[] | undefined {
  if (mcp.length === 0) return undefined;
  const own = callerTools ?? [];
  const taken = new Set<string>();
  for (const t of own) {
    const name = callerToolName(t);
    if (name !== undefined) taken.add(name);
  }
  const added: OpenAITool[] = [];
  for (const t of mcp) {
    if (taken.has(t.name)) continue;
    taken.add(t.name);
    added.push(toOpenAITool(t));
  }
  return added.length === 0 ? undefined : [...own, ...added];
}

/** One OpenAI tool call, as `/v1/mcp/tool/execute` takes it. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** The arguments, a JSON object (text as sent). */
  readonly arguments: string;
}

function invalid(message: string, param: string, code?: string): SwitchyardError {
  return new SwitchyardError('invalid_argument', message, code === undefined ? { param } : { param, code });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates an execute body; throws `invalid_argument` with `param` naming the bad field. */
export function parseToolCall(value: unknown): ToolCall {
  if (!isObject(value)) throw invalid('request body must be a JSON object (one OpenAI tool call)', 'body');
  const { id, type, function: fn } = value;
  if (typeof id !== 'string' || id.length === 0) throw invalid("'id' must be a non-empty string", 'id');
  if (type !== 'function') throw invalid("'type' must be 'function'", 'type');
  if (!isObject(fn)) throw invalid("'function' must be an object", 'function');
  const { name, arguments: args } = fn;
  if (typeof name !== 'string' || name.length === 0) throw invalid("'function.name' must be a non-empty string", 'function.name');
  if (typeof args !== 'string') throw invalid("'function.arguments' must be a string holding a JSON object", 'function.arguments', 'invalid_tool_arguments');
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw invalid("'function.arguments' is not valid JSON", 'function.arguments', 'invalid_tool_arguments');
  }
  if (!isObject(parsed)) throw invalid("'function.arguments' must be a JSON object", 'function.arguments', 'invalid_tool_arguments');
  return { id, name, arguments: args };
}

/**
 * The text of an MCP CallToolResult: its text parts joined by newlines, any other
 * part JSON-encoded in place; `structuredContent` when there is no content at all.
 */
export function toolResultContent(result: unknown): string {
  if (!isObject(result)) return JSON.stringify(result ?? null);
  const content = result.content;
  if (!Array.isArray(content) || content.length === 0) {
    return result.structuredContent === undefined ? '' : JSON.stringify(result.structuredContent);
  }
  const parts: string[] = [];
  for (const part of content as unknown[]) {
    if (isObject(part) && part.type === 'text' && typeof part.text === 'string') parts.push(part.text);
    else parts.push(JSON.stringify(part));
  }
  return parts.join('\n');
}

/** The parsed chat body (checked by `validateChatRequest`), as injection rewrites it. */
interface ToolsCarrier {
  readonly tools?: readonly unknown[] | null;
}

/**
 * Adds the catalog's tools (narrowed by `filter`) to a parsed chat body and returns
 * the body re-serialised; `undefined` when nothing was added, so the caller's bytes
 * travel untouched.
 */
export function injectTools(chat: ToolsCarrier, catalog: readonly McpTool[], filter: ToolFilter): Uint8Array | undefined {
  const merged = mergeTools(chat.tools, selectTools(catalog, filter));
  if (merged === undefined) return undefined;
  (chat as { tools?: unknown }).tools = merged;
  return Buffer.from(JSON.stringify(chat));
}
