import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { randomBytes } from 'node:crypto';
import type { Authenticator } from '../../domain/authenticator.js';
import type { McpTool } from '../../domain/mcp-tools.js';
import { credentialFrom } from '../../domain/policy.js';
import type { Principal } from '../../domain/types.js';
import { errorReply } from './errors.js';
import { runMcpServerToolCall, ToolCallFailed, type ToolRunDeps } from './mcp-execute.js';
import {
  classify, dispatch, headerVersion, issueSessionId, JSONRPC_INVALID_REQUEST, JSONRPC_PARSE_ERROR, originAllowed, rpcError,
  verifySessionId, type ExposedTool, type JsonRpcResponse, type McpServerSource,
} from './mcp-server-protocol.js';
import { requestIdFrom, traceIdOf, traceparentFrom } from './request-meta.js';

export const MCP_SERVER_ROUTE = '/mcp';
const SESSION_HEADER = 'mcp-session-id';

export interface McpServerDeps extends ToolRunDeps {
  auth: Authenticator;
  bodyLimitBytes: number;
  /** HMAC key of the session ids; replicas sharing it accept each other's sessions. */
  sessionSecret: string;
  /** Browser origins allowed besides localhost. */
  allowedOrigins: readonly string[];
  version?: string;
}

type Env = { Bindings: HttpBindings };

/** A random secret for a replica that was given none (its sessions are valid only there). */
export function randomSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

function json(c: Context<Env>, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return c.newResponse(JSON.stringify(body), status as 200, { ...headers, 'content-type': 'application/json' });
}

function rpcFailure(c: Context<Env>, status: number, code: number, message: string): Response {
  return json(c, status, rpcError(null, code, message));
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
 * `/mcp` and `/mcp/clients/<name>`: a Streamable HTTP MCP server (legacy era,
 * 2024-11-05 … 2025-11-25), stateless. Every POST is self-contained: the gateway's
 * answers (tools/list, tools/call) need no per-session state, and the session id is
 * an HMAC-signed token, so any replica with the same secret serves any session.
 * Requests are answered with `application/json`; there is no GET stream (405).
 */
export function mcpServerRoutes(deps: McpServerDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.all('/', (c) => handle(c, deps, undefined));
  app.all('/clients/:name', (c) => handle(c, deps, c.req.param('name')));
  return app;
}

async function handle(c: Context<Env>, deps: McpServerDeps, client: string | undefined): Promise<Response> {
  if (!originAllowed(c.req.header('origin'), deps.allowedOrigins)) return rpcFailure(c, 403, JSONRPC_INVALID_REQUEST, 'Forbidden: origin not allowed');
  const method = c.req.method;
  if (method !== 'POST' && method !== 'DELETE') {
    return c.newResponse(JSON.stringify(rpcError(null, JSONRPC_INVALID_REQUEST, 'Method not allowed')), 405, { allow: 'POST, DELETE', 'content-type': 'application/json' });
  }
  const requestId = requestIdFrom(c.req.header('x-request-id'));
  let principal: Principal;
  try {
    principal = await deps.auth.authenticate(credentialFrom(c.req.header('authorization'), c.req.header('x-api-key')));
  } catch (err) {
    const reply = errorReply(err, deps.logger, requestId);
    return c.newResponse(reply.body, reply.status as 401, { ...reply.headers, 'content-type': 'application/json' });
  }
  const keyId = principal.keyId;
  const scope = `${keyId}\0${client ?? ''}`;
  const sessionId = c.req.header(SESSION_HEADER);

  if (method === 'DELETE') {
    if (sessionId === undefined) return rpcFailure(c, 400, JSONRPC_INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required');
    if (!verifySessionId(deps.sessionSecret, scope, sessionId)) return rpcFailure(c, 404, -32001, 'Session not found');
    return c.body(null, 200);
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

  const source = serverSource(deps, { keyId, principal, requestId, client, signal: c.req.raw.signal, traceId: traceIdOf(traceparentFrom(c.req.header('traceparent'))) });
  const info = { name: client === undefined ? 'switchyard' : `switchyard/${client}`, version: deps.version ?? '0.1.0' };

  if (msg.kind === 'request' && msg.method === 'initialize') {
    // A new session: the id is signed, nothing is stored.
    const answer = await dispatch(msg, { source, info, signal: c.req.raw.signal });
    return json(c, 200, answer, { 'mcp-session-id': issueSessionId(deps.sessionSecret, scope) });
  }
  if (sessionId === undefined) return rpcFailure(c, 400, JSONRPC_INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required');
  if (!verifySessionId(deps.sessionSecret, scope, sessionId)) return rpcFailure(c, 404, -32001, 'Session not found');
  if (headerVersion(c.req.header('mcp-protocol-version')) === undefined) {
    return rpcFailure(c, 400, JSONRPC_INVALID_REQUEST, `Bad Request: unsupported protocol version ${c.req.header('mcp-protocol-version') ?? ''}`);
  }
  if (msg.kind !== 'request') return c.body(null, 202);
  const answer: JsonRpcResponse = await dispatch(msg, { source, info, signal: c.req.raw.signal });
  return json(c, 200, answer);
}

interface CallContext {
  keyId: string;
  principal: Principal;
  requestId: string;
  client: string | undefined;
  signal: AbortSignal;
  traceId: string;
}

function serverSource(deps: McpServerDeps, ctx: CallContext): McpServerSource {
  let catalog: readonly McpTool[] | undefined;
  const load = async (): Promise<readonly McpTool[]> => (catalog ??= await deps.catalog.tools());
  const route = ctx.client === undefined ? MCP_SERVER_ROUTE : `${MCP_SERVER_ROUTE}/clients/${ctx.client}`;
  return {
    tools: async () => exposedTools(await load(), ctx.client),
    async call(name, args) {
      let exposed = name;
      if (ctx.client !== undefined) {
        const tool = (await load()).find((t) => t.client === ctx.client && (t.upstreamName ?? t.name) === name);
        exposed = tool?.name ?? name;
      }
      return runMcpServerToolCall(deps, { keyId: ctx.keyId, principal: ctx.principal, route, traceId: ctx.traceId, requestId: ctx.requestId, signal: ctx.signal }, exposed, JSON.stringify(args));
    },
    errorMessage: (err) => (err instanceof ToolCallFailed ? err.message : 'error: tool call failed'),
  };
}
