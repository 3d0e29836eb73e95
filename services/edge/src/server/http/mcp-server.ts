import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { randomBytes } from 'node:crypto';
import type { Authenticator } from '../../domain/authenticator.js';
import type { McpForwarder } from '../../domain/ports.js';
import {
  MCP_INCLUDE_CLIENTS, MCP_INCLUDE_TOOLS, parseIncludeHeader, selectTools, type McpTool, type ToolFilter,
} from '../../domain/mcp-tools.js';
import { needsLane } from '../../domain/mcp-sessions.js';
import { credentialFrom } from '../../domain/policy.js';
import type { ToolGroupCache } from '../../domain/tool-group-cache.js';
import type { Principal } from '../../domain/types.js';
import { errorReply } from './errors.js';
import type { CatalogSource } from './mcp-server-catalog.js';
import { recordBlockedMcpCall, runMcpServerToolCall, ToolCallFailed, type ToolRunDeps } from './mcp-execute.js';
import {
  checkParamHeaders, classifyEra, discoverResult, HEADER_MISMATCH, honouredFilter, MODERN_METHODS, modernAnswer, type ListKind, type ModernEnvelope,
} from './mcp-server-modern.js';
import {
  classify, dispatch, headerVersion, type CallHooks, type Classified, type DispatchContext, JSONRPC_INVALID_PARAMS, JSONRPC_INVALID_REQUEST, JSONRPC_METHOD_NOT_FOUND,
  JSONRPC_PARSE_ERROR, negotiateVersion, NO_LOGS, originAllowed, rpcError, serverCapabilities, type ExposedTool, type JsonRpcId, type JsonRpcResponse,
  type McpServerSource, type ServerInfo, verifySessionId,
} from './mcp-server-protocol.js';
import { answerMaybeStreaming, ChangeFeed, jsonResponse, listenStream, notificationStream, subscriptionMeta } from './mcp-server-streams.js';
import { listenResources, releaseSubscriptions, upstreamUnsubscriber, type ResourceUpdateFeed } from './mcp-resource-updates.js';
import type { MrtrRegistry } from './mcp-mrtr.js';
import { serveMrtrToolCall } from './mcp-server-mrtr.js';
import { endSession, openSession, resumeSession, storeLogLevel, type McpSessionDeps, type SessionCheck } from './mcp-sessions.js';

export { ChangeFeed };
import { requestIdFrom, traceIdOf, traceparentFrom } from './request-meta.js';

export const MCP_SERVER_ROUTE = '/mcp';
const SESSION_HEADER = 'mcp-session-id';

export interface McpServerDeps extends ToolRunDeps, McpSessionDeps {
  auth: Authenticator;
  bodyLimitBytes: number;
  /** Browser origins allowed besides localhost. */
  allowedOrigins: readonly string[];
  version?: string;
  /** Resources, prompts, completions and relayed requests through mcp-connector; absent: tools only. */
  forwarder?: McpForwarder | undefined;
  /** Catalog changes (for `notifications/<kind>/list_changed` on GET streams). */
  changes?: ChangeFeed | undefined;
  /** Resource update delivery (`notifications/resources/updated`); absent: subscribe/unsubscribe are only forwarded. */
  resourceUpdates?: ResourceUpdateFeed | undefined;
  /** The session store's idle TTL (listen streams keep their subscription record alive within it). */
  sessionIdleTtlMs?: number | undefined;
  /** Tool groups for `/mcp/groups/<slug>`; absent: that route answers 404. */
  groups?: ToolGroupCache | undefined;
  /** MRTR bridging of relayed requests for modern callers (`mcp-mrtr.ts`); absent: they are refused upstream. */
  mrtr?: MrtrRegistry | undefined;
}

type Env = { Bindings: HttpBindings };

/** A random secret for a replica that was given none (its sessions are valid only there). */
export function randomSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

const json = jsonResponse;

function rpcFailure(c: Context<Env>, status: number, code: number, message: string): Response {
  return json(c, status, rpcError(null, code, message));
}

/** 404 for an unknown, expired or deleted session (the client re-initializes); 503 when the store is away. */
function sessionFailure(c: Context<Env>, check: Exclude<SessionCheck, 'ok'>): Response {
  return check === 'not_found' ? rpcFailure(c, 404, -32001, 'Session not found') : rpcFailure(c, 503, -32603, 'Session store unavailable');
}

/** The tools an endpoint exposes: every catalog tool by its exposed name, or one client's by upstream name. */
export function exposedTools(catalog: readonly McpTool[], client: string | undefined): ExposedTool[] {
  const out: ExposedTool[] = [];
  for (const t of catalog) {
    if (client !== undefined && t.client !== client) continue;
    const definition = t.definition ?? { description: t.description, inputSchema: t.parameters };
    out.push({ name: client === undefined ? t.name : t.upstreamName ?? t.name, definition });
  }
  return out;
}

function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return true;
  return accept.split(',').some((p) => {
    const type = p.split(';')[0]?.trim().toLowerCase();
    return type === 'application/json' || type === 'application/*' || type === '*/*';
  });
}

/**
 * `/mcp`, `/mcp/clients/<name>` and `/mcp/groups/<slug>`: a Streamable HTTP MCP server in
 * both eras on the same URL. Legacy (2024-11-05 … 2025-11-25): `initialize` opens a
 * session whose record lives in the shared store (Redis), so any replica serves any
 * session and DELETE revokes it everywhere; ids are HMAC-signed, so a forged one costs no
 * store trip; GET opens the list_changed stream. Modern (2026-07-28, `mcp-server-modern.ts`):
 * every request carries its own envelope and nothing is remembered. Answers are JSON, or
 * SSE once a tool call sends something before its result.
 */
export function mcpServerRoutes(deps: McpServerDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.all('/', (c) => handle(c, deps, undefined));
  app.all('/clients/:name', (c) => handle(c, deps, c.req.param('name')));
  app.all('/groups/:slug', (c) => handle(c, deps, undefined, c.req.param('slug')));
  return app;
}

/** A response (to a relayed request) or a notification from the client: 202 after passing on what matters. */
async function acceptMessage(deps: McpServerDeps, sessionId: string, msg: Exclude<Classified, { kind: 'request' | 'invalid' }>): Promise<void> {
  const forwarder = deps.forwarder;
  if (!forwarder) return;
  try {
    if (msg.kind === 'response' && typeof msg.id === 'string' && msg.id.startsWith('sy-')) {
      const err = msg.error as { code?: unknown; message?: unknown; data?: unknown } | undefined;
      await forwarder.respond(msg.id, err && typeof err === 'object'
        ? { error: { code: typeof err.code === 'number' ? err.code : -32603, message: typeof err.message === 'string' ? err.message : 'error', ...(err.data === undefined ? {} : { data: err.data }) } }
        : { result: (msg.result ?? {}) as Record<string, unknown> });
    } else if (msg.kind === 'notification' && msg.method === 'notifications/cancelled') {
      const requestId = msg.params?.requestId;
      const reason = typeof msg.params?.reason === 'string' ? msg.params.reason : '';
      if (typeof requestId === 'string' || typeof requestId === 'number') await forwarder.cancel(callKey(sessionId, requestId), reason);
    }
  } catch (err) {
    deps.logger.warn({ err }, 'mcp.server.relay_failed');
  }
}

function callKey(sessionId: string, requestId: string | number): string {
  return `${sessionId}:${JSON.stringify(requestId)}`;
}


/**
 * The filter an endpoint serves: the include headers intersected with the key's tool
 * scope, or on `/mcp/groups/<slug>` with the group's tools (a key may use the group
 * only when it reaches it, and the group is inside its scope by construction). The
 * catalog is already cut to the client configs' `tools_to_execute`.
 */
async function endpointFilter(c: Context<Env>, deps: McpServerDeps, principal: Principal, group: string | undefined): Promise<ToolFilter | Response> {
  const headers = { clients: parseIncludeHeader(c.req.header(MCP_INCLUDE_CLIENTS)), tools: parseIncludeHeader(c.req.header(MCP_INCLUDE_TOOLS)) };
  if (group === undefined) return { ...headers, scope: principal.toolScope };
  const served = deps.groups ? await deps.groups.get(group) : null;
  if (served === null) return rpcFailure(c, 404, -32004, `Not Found: no enabled tool group '${group}'`);
  if (principal.keyId !== '' && !principal.groupSlugs.includes(served.slug)) {
    return rpcFailure(c, 403, -32003, `Forbidden: this API key may not use tool group '${group}'`);
  }
  return { ...headers, scope: served.scope };
}

function accepts(accept: string | undefined, type: string): boolean {
  return (accept ?? '').split(',').some((p) => p.split(';')[0]?.trim().toLowerCase() === type);
}

async function handle(c: Context<Env>, deps: McpServerDeps, client: string | undefined, group?: string): Promise<Response> {
  if (!originAllowed(c.req.header('origin'), deps.allowedOrigins)) return rpcFailure(c, 403, JSONRPC_INVALID_REQUEST, 'Forbidden: origin not allowed');
  const method = c.req.method;
  const streamable = method === 'GET' && deps.changes !== undefined && accepts(c.req.header('accept'), 'text/event-stream');
  if (method !== 'POST' && method !== 'DELETE' && !streamable) {
    return c.newResponse(JSON.stringify(rpcError(null, JSONRPC_INVALID_REQUEST, 'Method not allowed')), 405, { allow: 'POST, DELETE', 'content-type': 'application/json' });
  }
  const requestId = requestIdFrom(c.req.header('x-request-id'));
  let principal: Principal;
  let filter: ToolFilter | Response;
  try {
    principal = await deps.auth.authenticate(credentialFrom(c.req.header('authorization'), c.req.header('x-api-key')));
    filter = await endpointFilter(c, deps, principal, group);
  } catch (err) {
    const reply = errorReply(err, deps.logger, requestId);
    return c.newResponse(reply.body, reply.status as 401, { ...reply.headers, 'content-type': 'application/json' });
  }
  if (filter instanceof Response) return filter;
  const keyId = principal.keyId;
  const scope = group === undefined ? `${keyId}\0${client ?? ''}` : `${keyId}\0\0group\0${group}`;
  const sessionId = c.req.header(SESSION_HEADER);

  if (method === 'GET') {
    if (sessionId === undefined) return rpcFailure(c, 400, JSONRPC_INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required');
    const resumed = await resumeSession(deps, scope, sessionId);
    if (typeof resumed === 'string') return sessionFailure(c, resumed);
    const feed = deps.resourceUpdates;
    return notificationStream(c, deps.changes!, feed && ((push) => feed.openSession(sessionId, push)));
  }

  if (method === 'DELETE') {
    if (sessionId === undefined) return rpcFailure(c, 400, JSONRPC_INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required');
    if (deps.resourceUpdates && deps.forwarder && verifySessionId(deps.sessionSecret, scope, sessionId)) {
      await releaseSubscriptions({ subscriptions: deps.sessions, unsubscribeUpstream: upstreamUnsubscriber(deps.forwarder, deps.logger), logger: deps.logger }, sessionId);
    }
    const ended = await endSession(deps, scope, sessionId);
    return ended === 'ok' ? c.body(null, 200) : sessionFailure(c, ended);
  }

  if (!acceptsJson(c.req.header('accept'))) return rpcFailure(c, 406, JSONRPC_INVALID_REQUEST, 'Not Acceptable: the client must accept application/json');
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return rpcFailure(c, 415, JSONRPC_INVALID_REQUEST, 'Unsupported Media Type: Content-Type must be application/json');
  }
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > deps.bodyLimitBytes) return rpcFailure(c, 413, JSONRPC_INVALID_REQUEST, 'Payload Too Large');
  const text = await c.req.text();
  if (Buffer.byteLength(text) > deps.bodyLimitBytes) return rpcFailure(c, 413, JSONRPC_INVALID_REQUEST, 'Payload Too Large');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return rpcFailure(c, 400, JSONRPC_PARSE_ERROR, 'Parse error');
  }
  if (Array.isArray(body)) return rpcFailure(c, 400, JSONRPC_INVALID_REQUEST, 'Batches are not supported');
  const msg = classify(body);
  if (msg.kind === 'invalid') return json(c, 400, rpcError(msg.id, JSONRPC_INVALID_REQUEST, msg.message));

  const era = classifyEra(msg, (name) => c.req.header(name));
  if (era.era === 'rejected') return json(c, era.status, era.body);

  const abort = new AbortController();
  const signal = AbortSignal.any([c.req.raw.signal, abort.signal]);
  const route = group !== undefined ? `${MCP_SERVER_ROUTE}/groups/${group}` : client !== undefined ? `${MCP_SERVER_ROUTE}/clients/${client}` : MCP_SERVER_ROUTE;
  const call: CallContext = {
    keyId, principal, requestId, client, filter, route, signal, traceId: traceIdOf(traceparentFrom(c.req.header('traceparent'))), sessionId: sessionId ?? '', laneSession: undefined,
    ...(era.era === 'legacy' && msg.kind === 'request' ? { rpcId: msg.id } : {}),
  };
  const source = serverSource(deps, call);
  const name = group !== undefined ? `switchyard/groups/${group}` : client === undefined ? 'switchyard' : `switchyard/${client}`;
  const info = { name, version: deps.version ?? '0.1.0' };

  if (era.era === 'modern') {
    if (msg.kind !== 'request') return c.body(null, 202); // closing a response stream is the cancel signal; nothing else is expected
    return serveModern(c, deps, { ...msg, params: era.params }, era.envelope!, { source, info, abort, binding: `${keyId}\n${route}` });
  }

  if (msg.kind === 'request' && msg.method === 'initialize') {
    // A new session: a signed id, recorded in the shared store.
    const answer = await dispatch(msg, { source, info, signal });
    const id = await openSession(deps, { scope, keyId, endpoint: route, protocolVersion: negotiateVersion(msg.params?.protocolVersion), params: msg.params });
    if (id === undefined) return sessionFailure(c, 'unavailable');
    return json(c, 200, answer, { 'mcp-session-id': id });
  }
  if (sessionId === undefined) return rpcFailure(c, 400, JSONRPC_INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required');
  const resumed = await resumeSession(deps, scope, sessionId);
  if (typeof resumed === 'string') return sessionFailure(c, resumed);
  if (headerVersion(c.req.header('mcp-protocol-version')) === undefined) {
    return rpcFailure(c, 400, JSONRPC_INVALID_REQUEST, `Bad Request: unsupported protocol version ${c.req.header('mcp-protocol-version') ?? ''}`);
  }
  if (msg.kind !== 'request') {
    await acceptMessage(deps, sessionId, msg);
    return c.body(null, 202);
  }
  const ctx = { source, info, signal, logLevel: resumed.logLevel, setLogLevel: (level: string) => storeLogLevel(deps, sessionId, level) };
  if (msg.method === 'tools/call' && deps.forwarder && accepts(c.req.header('accept'), 'text/event-stream')) {
    if (needsLane(resumed)) call.laneSession = sessionId;
    return answerMaybeStreaming(c, (emit) => dispatch(msg, { ...ctx, emit }), abort);
  }
  const answer: JsonRpcResponse = await dispatch(msg, ctx);
  return json(c, 200, answer);
}

interface ModernContext {
  readonly source: McpServerSource;
  readonly info: ServerInfo;
  readonly abort: AbortController;
  /** What an MRTR requestState is bound to: the caller's key and this endpoint. */
  readonly binding: string;
}

/**
 * One 2026-07-28 request: stateless (no session, nothing remembered), the caller's log
 * level and capabilities from this request's `_meta` only, results stamped with
 * `resultType`, server info and cache hints.
 */
async function serveModern(
  c: Context<Env>, deps: McpServerDeps, req: { id: JsonRpcId; method: string; params: Record<string, unknown> | undefined }, envelope: ModernEnvelope, m: ModernContext,
): Promise<Response> {
  const { id, method, params } = req;
  if (!MODERN_METHODS.has(method)) return json(c, 404, rpcError(id, JSONRPC_METHOD_NOT_FOUND, `Method not found: ${method}`));
  if (method === 'server/discover') return json(c, 200, { jsonrpc: '2.0', id, result: discoverResult(serverCapabilities(m.source, 'modern'), m.info) });
  if (method === 'subscriptions/listen') {
    const available: ListKind[] = deps.changes === undefined ? [] : m.source.catalog ? ['tools', 'prompts', 'resources'] : ['tools'];
    const filter = honouredFilter(params, available);
    if (typeof filter === 'string') return json(c, 200, rpcError(id, JSONRPC_INVALID_PARAMS, filter));
    const requested = (params?.notifications as Record<string, unknown> | undefined)?.resourceSubscriptions;
    const resources = deps.resourceUpdates && deps.forwarder && m.source.catalog
      ? await listenResources({ sessions: deps.sessions, forwarder: deps.forwarder, feed: deps.resourceUpdates, logger: deps.logger, idleTtlMs: deps.sessionIdleTtlMs ?? 3_600_000 }, m.source.catalog, requested, subscriptionMeta(id)).catch((err: unknown) => {
        deps.logger.warn({ err }, 'mcp.listen.resources_failed');
        return undefined;
      })
      : undefined;
    const ack = resources ? { ...filter.ack, resourceSubscriptions: resources.uris } : filter.ack;
    return listenStream(c, deps.changes, id, filter.kinds, ack, resources?.attach);
  }
  const ctx: DispatchContext = {
    source: m.source,
    info: m.info,
    signal: AbortSignal.any([c.req.raw.signal, m.abort.signal]),
    logLevel: envelope.logLevel ?? NO_LOGS,
    checkCall: (tool, args) => {
      const refused = checkParamHeaders(tool.definition.inputSchema, args, (name) => c.req.header(name));
      return refused === undefined ? undefined : { code: HEADER_MISMATCH, message: refused };
    },
  };
  const finish = (answer: JsonRpcResponse): { status: number; body: JsonRpcResponse } => modernAnswer(method, answer, m.info);
  const forwarder = deps.forwarder;
  if (method === 'tools/call' && forwarder && deps.mrtr && accepts(c.req.header('accept'), 'text/event-stream')) {
    return serveMrtrToolCall(c, { mrtr: deps.mrtr, forwarder, logger: deps.logger }, {
      id, params, capabilities: envelope.capabilities, binding: m.binding, abort: m.abort, finish,
      run: (emit) => dispatch(req, { ...ctx, emit }),
    });
  }
  if (method === 'tools/call' && forwarder && accepts(c.req.header('accept'), 'text/event-stream')) {
    return answerMaybeStreaming(c, (emit) => dispatch(req, {
      ...ctx,
      emit: (message) => {
        // A modern response stream carries no server-to-client requests, and MRTR is not relayed: the upstream is told at once.
        if (typeof message.id === 'string' && typeof message.method === 'string') {
          void forwarder.respond(message.id, { error: { code: -32603, message: `${message.method} cannot reach a 2026-07-28 client through the gateway` } })
            .catch((err: unknown) => deps.logger.warn({ err }, 'mcp.server.relay_failed'));
          return;
        }
        emit(message);
      },
    }), m.abort, finish);
  }
  const { status, body } = finish(await dispatch(req, ctx));
  return json(c, status, body);
}

interface CallContext {
  keyId: string;
  principal: Principal;
  requestId: string;
  client: string | undefined;
  /** Headers ∩ key scope (or the group's tools). */
  filter: ToolFilter;
  route: string;
  signal: AbortSignal;
  traceId: string;
  sessionId: string;
  /** Set on a legacy streamed tools/call that runs on its session's lane (`needsLane`). */
  laneSession: string | undefined;
  /** A legacy request's JSON-RPC id: with the session it names a call answered as JSON for `notifications/cancelled`. */
  rpcId?: JsonRpcId;
}

function serverSource(deps: McpServerDeps, ctx: CallContext): McpServerSource {
  let catalog: readonly McpTool[] | undefined;
  const load = async (): Promise<readonly McpTool[]> => (catalog ??= await deps.catalog.tools());
  const route = ctx.route;
  const forwarder = deps.forwarder;
  return {
    tools: async () => exposedTools(selectTools(await load(), ctx.filter), ctx.client),
    // A call finds its one tool: no list of the whole catalog per call.
    async tool(name) {
      const found = ctx.client === undefined
        ? (await load(), deps.catalog.byName(name))
        : (await load()).find((t) => t.client === ctx.client && (t.upstreamName ?? t.name) === name);
      if (found === undefined || selectTools([found], ctx.filter).length === 0) return undefined;
      return exposedTools([found], ctx.client)[0];
    },
    async denied(name) {
      const all = await load();
      const tool = ctx.client === undefined ? all.find((t) => t.name === name) : all.find((t) => t.client === ctx.client && (t.upstreamName ?? t.name) === name);
      if (tool === undefined) return undefined;
      return recordBlockedMcpCall(deps, { keyId: ctx.keyId, principal: ctx.principal, route, traceId: ctx.traceId, requestId: ctx.requestId, signal: ctx.signal }, tool.name, tool.client);
    },
    async call(name, args, _signal, hooks?: CallHooks) {
      let exposed = name;
      if (ctx.client !== undefined) {
        const tool = (await load()).find((t) => t.client === ctx.client && (t.upstreamName ?? t.name) === name);
        exposed = tool?.name ?? name;
      }
      const stream = hooks && { ...hooks, callKey: callKey(ctx.sessionId, hooks.requestId), session: ctx.laneSession };
      const key = !stream && ctx.sessionId !== '' && ctx.rpcId !== undefined ? callKey(ctx.sessionId, ctx.rpcId) : undefined;
      return runMcpServerToolCall(deps, { keyId: ctx.keyId, principal: ctx.principal, route, traceId: ctx.traceId, requestId: ctx.requestId, signal: ctx.signal, callKey: key }, exposed, JSON.stringify(args), stream);
    },
    ...(forwarder ? {
      catalog: {
        client: ctx.client,
        lists: () => forwarder.listCatalog(ctx.client === undefined ? [] : [ctx.client]),
        forward: (client: string, method: string, params: Record<string, unknown>) => forwarder.forward(client, method, params, ctx.signal),
        ...(deps.resourceUpdates && ctx.sessionId !== '' && ctx.rpcId !== undefined ? { subscriptions: sessionSubscriptions(deps, ctx.sessionId) } : {}),
      },
    } : {}),
    errorMessage: (err) => (err instanceof ToolCallFailed ? err.message : 'error: tool call failed'),
    cancelled: (err) => err instanceof ToolCallFailed && err.cancelled,
  };
}

/** A legacy session's resource subscriptions in the shared store: true from `add` for the first subscriber, from `remove` for the last. */
function sessionSubscriptions(deps: McpServerDeps, sessionId: string): NonNullable<CatalogSource['subscriptions']> {
  return {
    add: async (client, uri) => (await deps.sessions.addSubscription(sessionId, { client, uri })) === 'first',
    remove: async (client, uri) => (await deps.sessions.removeSubscription(sessionId, { client, uri })) === 'last',
  };
}
