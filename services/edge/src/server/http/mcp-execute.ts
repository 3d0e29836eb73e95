import type { HttpBindings } from '@hono/node-server';
import type { Logger } from '@switchyard/obs';
import { Hono, type Context } from 'hono';
import type { EdgeMetrics } from '../../adapters/metrics.js';
import type { Authenticator } from '../../domain/authenticator.js';
import { randomUUID } from 'node:crypto';
import {
  MCP_INCLUDE_CLIENTS, MCP_INCLUDE_TOOLS, parseIncludeHeader, parseToolCall, toolAllowed, toolBlockedError, toolResultContent, type McpTool, type ToolCall, type ToolFilter,
} from '../../domain/mcp-tools.js';
import { credentialFrom } from '../../domain/policy.js';
import type { ToolAuditSink, ToolCallStream, ToolExecutor } from '../../domain/ports.js';
import type { ToolCatalogCache } from '../../domain/tool-catalog.js';
import type { Principal, ToolAuditRecord } from '../../domain/types.js';
import type { LimitsGate } from '../../domain/limits-gate.js';
import { readBody } from './body.js';
import { errorReply } from './errors.js';
import { requestIdFrom, traceIdOf, traceparentFrom } from './request-meta.js';
import { parseJsonBody } from './validation.js';

export const MCP_EXECUTE_ROUTE = '/v1/mcp/tool/execute';
export const PARENT_REQUEST_ID = 'x-switchyard-parent-request-id';

export interface McpExecuteDeps {
  auth: Authenticator;
  executor: ToolExecutor;
  catalog: ToolCatalogCache;
  audit: ToolAuditSink;
  metrics: EdgeMetrics;
  logger: Logger;
  bodyLimitBytes: number;
  toolTimeoutMs: number;
  logContent: boolean;
  /** Budgets, rate limits and usage events: a tool call's price is charged to the caller's budgets. */
  limits: LimitsGate;
}

type Env = { Bindings: HttpBindings };

type ToolExchange = { -readonly [K in keyof ToolAuditRecord]: ToolAuditRecord[K] };

function newExchange(c: Context<Env>): ToolExchange {
  const parent = c.req.header(PARENT_REQUEST_ID);
  return {
    requestId: requestIdFrom(c.req.header('x-request-id')),
    parentRequestId: parent === undefined ? '' : requestIdFrom(parent) === parent ? parent : '',
    keyId: '',
    receivedAtMs: Date.now(),
    tool: '',
    client: '',
    status: 0,
    errorKind: '',
    latencyMs: 0,
    route: MCP_EXECUTE_ROUTE,
    traceId: traceIdOf(traceparentFrom(c.req.header('traceparent'))),
    body: new Uint8Array(0),
    responseBody: undefined,
  };
}

/**
 * `POST /v1/mcp/tool/execute`: runs one OpenAI tool call (a suggestion the model
 * made) through mcp-connector and answers the `role: "tool"` message to append.
 * On Hono, not the raw path: it is not a hot path, and it gets the shared routing,
 * route metrics and error envelope for free. Every call leaves a `kind: 'tool'`
 * audit event, failures included.
 */
export function mcpExecuteRoutes(deps: McpExecuteDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.post('/', async (c) => {
    const started = performance.now();
    const ex = newExchange(c);
    let res: Response;
    try {
      res = await execute(c, ex, deps);
    } catch (err) {
      const reply = errorReply(err, deps.logger, ex.requestId);
      ex.status = reply.status;
      ex.errorKind = reply.kind;
      if (deps.logContent) ex.responseBody = Buffer.from(reply.body);
      res = c.newResponse(reply.body, reply.status as 400, { ...reply.headers, 'content-type': 'application/json', 'x-request-id': ex.requestId });
    }
    ex.latencyMs = performance.now() - started;
    deps.metrics.toolCall(ex.status);
    deps.audit.recordTool(ex);
    return res;
  });
  return app;
}

async function execute(c: Context<Env>, ex: ToolExchange, deps: McpExecuteDeps): Promise<Response> {
  const principal = await deps.auth.authenticate(credentialFrom(c.req.header('authorization'), c.req.header('x-api-key')));
  ex.keyId = principal.keyId;
  const body = await readBody(c.env.incoming, deps.bodyLimitBytes);
  if (deps.logContent) ex.body = body;
  const call = parseToolCall(parseJsonBody(body.toString('utf8')));
  ex.tool = call.name;
  const filter: ToolFilter = {
    clients: parseIncludeHeader(c.req.header(MCP_INCLUDE_CLIENTS)),
    tools: parseIncludeHeader(c.req.header(MCP_INCLUDE_TOOLS)),
    scope: principal.toolScope,
  };
  await authorizeToolCall(deps.catalog, filter, call.name);
  const content = await callTool(deps, ex, call, c.req.raw.signal, principal);
  const answer = JSON.stringify({ role: 'tool', tool_call_id: call.id, content });
  if (deps.logContent) ex.responseBody = Buffer.from(answer);
  return c.newResponse(answer, 200, { 'content-type': 'application/json', 'x-request-id': ex.requestId });
}

/**
 * 403 `mcp_tool_blocked` unless the tool passes the caller's filters (key scope and
 * include headers). Without any filter the connector decides alone (unknown tools stay
 * its `not_found`); with one, a tool missing from the catalog is blocked (fail closed).
 */
export async function authorizeToolCall(catalog: ToolCatalogCache, filter: ToolFilter, name: string): Promise<void> {
  if (filter.clients === undefined && filter.tools === undefined && (filter.scope === undefined || filter.scope.unrestricted)) return;
  const listed = catalog.tools();
  const tools: readonly McpTool[] = listed instanceof Promise ? await listed : listed;
  const tool = tools.find((t) => t.name === name);
  if (tool === undefined || !toolAllowed(tool, filter)) throw toolBlockedError(name);
}

/** The part of a tool call both paths share: mcp-connector's CallTool, the result as text. */
async function callTool(deps: ToolRunDeps, ex: ToolExchange, call: ToolCall, signal: AbortSignal, principal: Principal | undefined): Promise<string> {
  return toolResultContent(await callToolRaw(deps, ex, call, signal, principal));
}

/**
 * mcp-connector's CallTool, the MCP CallToolResult as it came. The tool's price is
 * reserved against the caller's budgets (with one request against its request rate
 * limits) before the call, charged when the call returns a result, released when it
 * fails; a tool result with `isError` still ran, so it is charged.
 */
async function callToolRaw(deps: ToolRunDeps, ex: ToolExchange, call: ToolCall, signal: AbortSignal, principal: Principal | undefined, relay: { stream?: ToolCallStream | undefined; callKey?: string | undefined } = {}): Promise<unknown> {
  ex.tool = call.name;
  ex.client = deps.catalog.clientOf(call.name);
  const price = deps.catalog.priceOf(call.name);
  const ticket = principal ? await deps.limits.reserveTool(principal, price) : undefined;
  let ok = false;
  try {
    const result = await deps.executor.call({
      requestId: ex.requestId,
      keyId: ex.keyId,
      parentRequestId: ex.parentRequestId,
      name: call.name,
      arguments: call.arguments,
      timeoutMs: deps.toolTimeoutMs,
      signal,
      stream: relay.stream,
      callKey: relay.callKey,
    });
    ex.status = 200;
    ok = true;
    return result;
  } finally {
    if (principal) deps.limits.settleTool(principal, ticket, { eventId: randomUUID(), requestId: ex.requestId }, call.name, price, ok);
  }
}

export interface McpServerToolContext {
  readonly keyId: string;
  readonly route: string;
  readonly traceId: string;
  readonly requestId: string;
  readonly signal: AbortSignal;
  readonly principal: Principal;
  /** Names a call answered as JSON for `notifications/cancelled` (a legacy session's `<session>:<request id>`). */
  readonly callKey?: string | undefined;
}

/**
 * One `tools/call` from the northbound MCP server (`/mcp`): the same connector call,
 * metric and `kind: 'tool'` audit event as the execute route. Resolves with the raw
 * CallToolResult; rejects with the connector's failure (audited with its status).
 */
export async function runMcpServerToolCall(deps: ToolRunDeps, ctx: McpServerToolContext, name: string, args: string, stream?: ToolCallStream): Promise<unknown> {
  const started = performance.now();
  const ex: ToolExchange = {
    requestId: ctx.requestId, parentRequestId: '', keyId: ctx.keyId, receivedAtMs: Date.now(),
    tool: name, client: '', status: 0, errorKind: '', latencyMs: 0, route: ctx.route, traceId: ctx.traceId,
    body: deps.logContent ? Buffer.from(args) : new Uint8Array(0),
    responseBody: undefined,
  };
  try {
    const result = await callToolRaw(deps, ex, { id: ex.requestId, name, arguments: args }, ctx.signal, ctx.principal, stream ? { stream } : { callKey: ctx.callKey });
    if (deps.logContent) ex.responseBody = Buffer.from(JSON.stringify(result ?? null));
    return result;
  } catch (err) {
    const reply = errorReply(err, deps.logger, ex.requestId);
    ex.status = reply.status;
    ex.errorKind = reply.kind;
    if (deps.logContent) ex.responseBody = Buffer.from(reply.body);
    throw new ToolCallFailed(errorMessageOf(reply.body), reply.kind === 'cancelled');
  } finally {
    ex.latencyMs = performance.now() - started;
    deps.metrics.toolCall(ex.status);
    deps.audit.recordTool(ex);
  }
}

/** A `tools/call` on `/mcp` that the caller's scope refuses: audited (403) like any other, and its safe message. */
export function recordBlockedMcpCall(deps: ToolRunDeps, ctx: McpServerToolContext, name: string, client: string): string {
  const reply = errorReply(toolBlockedError(name), deps.logger, ctx.requestId);
  deps.metrics.toolCall(reply.status);
  deps.audit.recordTool({
    requestId: ctx.requestId, parentRequestId: '', keyId: ctx.keyId, receivedAtMs: Date.now(), tool: name, client,
    status: reply.status, errorKind: reply.kind, latencyMs: 0, route: ctx.route, traceId: ctx.traceId,
    body: new Uint8Array(0), responseBody: deps.logContent ? Buffer.from(reply.body) : undefined,
  });
  return errorMessageOf(reply.body);
}

/** A tool call that failed; `message` is safe to show the caller (`error: …`). */
export class ToolCallFailed extends Error {
  /** `cancelled`: the upstream call was cancelled (the client's `notifications/cancelled`, or it went away). */
  constructor(message: string, readonly cancelled = false) {
    super(message);
  }
}

/** What agent mode needs to run tool calls: the execute route's dependencies, minus the HTTP ones. */
export type ToolRunDeps = Pick<McpExecuteDeps, 'executor' | 'catalog' | 'audit' | 'metrics' | 'logger' | 'toolTimeoutMs' | 'logContent' | 'limits'>;

export interface AgentToolContext {
  /** The chat request: the parent of every tool call it runs. */
  readonly requestId: string;
  readonly keyId: string;
  readonly traceId: string;
  readonly route: string;
  readonly signal: AbortSignal;
  /** The chat request's caller: its budgets pay for the tool calls. */
  readonly principal: Principal | undefined;
}

/**
 * One agent-mode tool call, through the same connector call, metric and `kind: 'tool'`
 * audit event as the execute route. A failure becomes the tool message text (the safe
 * error message), so the model can adapt; it never rejects.
 */
export async function runAgentToolCall(deps: ToolRunDeps, parent: AgentToolContext, call: ToolCall): Promise<string> {
  const started = performance.now();
  const ex: ToolExchange = {
    requestId: randomUUID(), parentRequestId: parent.requestId, keyId: parent.keyId, receivedAtMs: Date.now(),
    tool: call.name, client: '', status: 0, errorKind: '', latencyMs: 0, route: parent.route, traceId: parent.traceId,
    body: deps.logContent ? Buffer.from(JSON.stringify({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) : new Uint8Array(0),
    responseBody: undefined,
  };
  let content: string;
  try {
    content = await callTool(deps, ex, call, parent.signal, parent.principal);
  } catch (err) {
    const reply = errorReply(err, deps.logger, ex.requestId);
    ex.status = reply.status;
    ex.errorKind = reply.kind;
    content = errorMessageOf(reply.body);
  }
  if (deps.logContent) ex.responseBody = Buffer.from(content);
  ex.latencyMs = performance.now() - started;
  deps.metrics.toolCall(ex.status);
  deps.audit.recordTool(ex);
  return content;
}

function errorMessageOf(envelope: string): string {
  try {
    const message = (JSON.parse(envelope) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? `error: ${message}` : 'error: tool call failed';
  } catch {
    return 'error: tool call failed';
  }
}
