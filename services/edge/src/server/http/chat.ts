import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '@switchyard/obs';
import type { EdgeMetrics, RouteRecorder } from '../../adapters/metrics.js';
import type { Authenticator } from '../../domain/authenticator.js';
import { assertJsonContentType, parseChatRequest } from '../../domain/chat-request.js';
import { authorizeModel, authorizeProvider, authorizeFallbackProviders, credentialFrom } from '../../domain/policy.js';
import { addUsage, decide, runAgentLoop, StreamedTurn, withSummedUsage, type JsonUsage } from '../../domain/agent-mode.js';
import {
  autoExecutableNames, hasAutoExecute, injectTools, MCP_INCLUDE_CLIENTS, MCP_INCLUDE_TOOLS, parseIncludeHeader, selectTools,
} from '../../domain/mcp-tools.js';
import type { AuditSink, LlmGateway } from '../../domain/ports.js';
import type { Completion, Usage } from '../../domain/types.js';
import type { ToolCatalogCache } from '../../domain/tool-catalog.js';
import { LimitsGate } from '../../domain/limits-gate.js';
import type { ChatRequest } from '../../domain/chat-request.js';
import type { Principal } from '../../domain/types.js';
import { readBody } from './body.js';
import { CHAT_ROUTE, ChatExchange } from './chat-exchange.js';
import { errorReply, writeErrorReply } from './errors.js';
import { runAgentToolCall, type ToolRunDeps } from './mcp-execute.js';
import { SSE_DONE, sseErrorFrame, sseFrame } from './sse.js';

export interface ChatHandlerDeps {
  auth: Authenticator;
  llm: LlmGateway;
  audit: AuditSink;
  metrics: EdgeMetrics;
  logger: Logger;
  bodyLimitBytes: number;
  upstreamTimeoutMs: number;
  /** Keep response bodies for the audit event. */
  logContent: boolean;
  /** MCP tools to inject; absent when MCP is off. */
  tools?: ToolCatalogCache | undefined;
  /** Agent mode (auto-executed MCP tools); absent when MCP is off. */
  agent?: { tools: ToolRunDeps; maxDepth: number } | undefined;
  /** Budgets, rate limits and usage events. */
  limits: LimitsGate;
}

export { MCP_INCLUDE_CLIENTS, MCP_INCLUDE_TOOLS };
export const AGENT_ITERATIONS = 'x-switchyard-agent-iterations';

const EXCHANGE = Symbol('switchyard.chatExchange');
type ChatResponse = ServerResponse & { [EXCHANGE]?: ChatExchange };

/** Shared by every response (no per-request closure): a client that leaves aborts the upstream call. */
function onResponseClose(this: ChatResponse): void {
  if (!this.writableFinished) this[EXCHANGE]?.controller.abort();
}

function sseHeaders(requestId: string): OutgoingHttpHeaders {
  return { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': requestId };
}

/** Resolves when the response can take more, or when the client is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const NEWLINE = Buffer.from('\n');
const decoder = new TextDecoder();

/** A stream chunk's JSON, or undefined when it is not JSON (then relayed or held as is). */
function parseChunk(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/** Stream chunks as JSON lines (for audit events with content logging on). */
function jsonLines(chunks: readonly Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const c of chunks) parts.push(c, NEWLINE);
  return Buffer.concat(parts);
}

/**
 * `POST /v1/chat/completions` on the raw Node request: body read as Buffers with the
 * limit enforced while reading, one JSON.parse, the original bytes to llm-proxy,
 * the answer written with writeHead/end. The audit event is built after the response.
 * MCP tools are appended to `tools` (and the body re-serialised) only when some are
 * actually added; otherwise the bytes pass through untouched.
 */
export class ChatHandler {
  private readonly recorder: RouteRecorder;

  constructor(private readonly deps: ChatHandlerDeps) {
    this.recorder = deps.metrics.route(CHAT_ROUTE);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const ex = new ChatExchange(req.headers, this.deps.upstreamTimeoutMs);
    (res as ChatResponse)[EXCHANGE] = ex;
    res.once('close', onResponseClose);
    void this.run(ex, req, res);
  }

  private async run(ex: ChatExchange, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.serve(ex, req, res);
    } catch (err) {
      this.fail(ex, res, err);
    }
    try {
      this.finish(ex);
    } catch (err) {
      this.deps.logger.error({ err, requestId: ex.requestId }, 'chat.finish_failed');
    }
  }

  private async serve(ex: ChatExchange, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = req.headers;
    assertJsonContentType(headers['content-type']);
    const authenticated = this.deps.auth.authenticate(credentialFrom(headers.authorization, headers['x-api-key']));
    const principal = authenticated instanceof Promise ? await authenticated : authenticated;
    ex.keyId = principal.keyId;
    ex.principal = principal;
    const body = await readBody(req, this.deps.bodyLimitBytes);
    ex.body = body;
    const chat = parseChatRequest(body.toString('utf8'));
    ex.model = chat.model;
    ex.stream = chat.stream === true;
    authorizeModel(principal, chat.model);
    authorizeProvider(principal, chat.model);
    authorizeFallbackProviders(principal, (chat as { fallbacks?: unknown }).fallbacks);
    let auto: ReadonlySet<string> | undefined;
    const catalog = this.deps.tools?.tools();
    if (catalog !== undefined) {
      // Fresh catalogs answer synchronously; an empty one costs nothing more.
      const tools = catalog instanceof Promise ? await catalog : catalog;
      if (tools.length > 0) {
        const filter = { clients: parseIncludeHeader(headers[MCP_INCLUDE_CLIENTS]), tools: parseIncludeHeader(headers[MCP_INCLUDE_TOOLS]), scope: principal.toolScope };
        // Only a catalog with auto-executable tools pays for a second selection.
        if (this.deps.agent && hasAutoExecute(tools)) auto = autoExecutableNames(chat.tools, selectTools(tools, filter));
        const injected = injectTools(chat, tools, filter);
        if (injected !== undefined) ex.body = injected;
      }
    }
    if (auto !== undefined) ex.settledPerCall = true;
    // A key with budgets or rate limits: one counter round trip before the call (agent mode: before each call).
    else if (LimitsGate.applies(principal)) ex.ticket = await this.deps.limits.reserveModel(principal, chat, ex.body.byteLength);
    if (ex.stream) await (auto === undefined ? this.streamed(ex, res) : this.agentStreamed(ex, res, chat, auto));
    else if (auto !== undefined) await this.agent(ex, res, chat, auto);
    else this.reply(ex, res, await this.deps.llm.complete(ex), undefined);
  }

  /** Agent mode: the edge runs the auto-executable tool calls itself (see domain/agent-mode.ts). */
  private async agent(ex: ChatExchange, res: ServerResponse, chat: object, auto: ReadonlySet<string>): Promise<void> {
    const agent = this.deps.agent!;
    const requestBody = ex.body;
    const parent = { requestId: ex.requestId, keyId: ex.keyId, traceId: ex.traceId, route: CHAT_ROUTE, signal: ex.signal, principal: ex.principal };
    try {
      const result = await runAgentLoop(chat as { messages: unknown }, requestBody, {
        auto,
        maxDepth: agent.maxDepth,
        complete: async (body) => {
          ex.body = body;
          const call = this.modelCall(ex, chat as ChatRequest, body.byteLength);
          const ticket = await call.reserve();
          try {
            const completion = await this.deps.llm.complete(ex);
            call.settle(ticket, completion.outcome, true);
            return completion;
          } catch (err) {
            call.settle(ticket, undefined, false);
            throw err;
          }
        },
        execute: (call) => runAgentToolCall(agent.tools, parent, call),
      });
      this.reply(ex, res, result.completion, result.iterations);
    } finally {
      // The audit event keeps the request as the client sent it (with the injected tools).
      ex.body = requestBody;
    }
  }

  /**
   * Agent mode with `stream: true`: every model call streams. Content deltas are
   * relayed as they come; from the first tool-call delta on (and for usage chunks) the
   * chunks are held. If every call is auto-executable the held chunks are dropped, the
   * tools run, and the next call continues the same SSE stream; otherwise the held
   * chunks go out, a usage chunk with the usage summed over the iterations. The
   * iterations header cannot be sent (headers leave with the first chunk).
   */
  private async agentStreamed(ex: ChatExchange, res: ServerResponse, chat: object, auto: ReadonlySet<string>): Promise<void> {
    const agent = this.deps.agent!;
    const requestBody = ex.body;
    const messages = (chat as { messages: unknown[] }).messages;
    const parent = { requestId: ex.requestId, keyId: ex.keyId, traceId: ex.traceId, route: CHAT_ROUTE, signal: ex.signal, principal: ex.principal };
    const usage: JsonUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    let summed: Usage | undefined;
    const kept: Uint8Array[] | undefined = this.deps.logContent ? [] : undefined;
    const send = async (payload: Uint8Array): Promise<void> => {
      if (ex.status === 0) {
        ex.status = 200;
        res.writeHead(200, sseHeaders(ex.requestId));
      }
      if (!res.write(sseFrame(payload))) await drained(res);
      kept?.push(payload);
    };
    try {
      for (let depth = 0; ; depth++) {
        const turn = new StreamedTurn();
        const held: [unknown, Uint8Array][] = [];
        const call = this.modelCall(ex, chat as ChatRequest, ex.body.byteLength);
        const ticket = await call.reserve();
        let turnOutcome: typeof ex.outcome;
        let answered = false;
        try {
          for await (const message of this.deps.llm.stream(ex)) {
            const event = message.event;
            answered = true;
            if (event.case === 'chunk') {
              const parsed = parseChunk(event.value);
              if (turn.accept(parsed, usage)) held.push([parsed, event.value]);
              else await send(event.value);
            } else if (event.case === 'outcome') {
              ex.outcome = event.value;
              turnOutcome = event.value;
              summed = addUsage(summed, event.value.usage);
            }
          }
        } finally {
          call.settle(ticket, turnOutcome, answered);
        }
        const calls = turn.toolCalls;
        if (decide(calls, auto, depth, agent.maxDepth).action === 'return') {
          for (const [parsed, bytes] of held) await send(withSummedUsage(parsed, bytes, usage));
          break;
        }
        const results = await Promise.all(calls.map((c) => runAgentToolCall(agent.tools, parent, c)));
        messages.push(turn.assistantMessage());
        calls.forEach((c, i) => messages.push({ role: 'tool', tool_call_id: c.id, content: results[i] }));
        ex.body = Buffer.from(JSON.stringify(chat));
      }
    } finally {
      ex.body = requestBody;
    }
    if (ex.outcome) ex.outcome = { ...ex.outcome, usage: summed };
    if (ex.status === 0) {
      ex.status = 200;
      res.writeHead(200, sseHeaders(ex.requestId));
    }
    res.end(SSE_DONE);
    if (kept) ex.responseBody = jsonLines(kept);
  }

  /** One model call of agent mode: reserved before, settled after, with its own usage event. */
  private modelCall(ex: ChatExchange, chat: ChatRequest, bodyBytes: number) {
    const limits = this.deps.limits;
    const principal = ex.principal as Principal;
    const ids = { eventId: randomUUID(), requestId: ex.requestId };
    return {
      reserve: () => (LimitsGate.applies(principal) ? limits.reserveModel(principal, chat, bodyBytes) : Promise.resolve(undefined)),
      settle: (ticket: Awaited<ReturnType<LimitsGate['reserveModel']>>, outcome: ChatExchange['outcome'], served: boolean) =>
        limits.settleModel(principal, ticket, ids, ex.model, outcome, served),
    };
  }

  private reply(ex: ChatExchange, res: ServerResponse, result: Completion, iterations: number | undefined): void {
    ex.outcome = result.outcome;
    ex.status = 200;
    const provider = result.outcome?.provider;
    const headers: OutgoingHttpHeaders = provider
      ? { 'content-type': 'application/json', 'content-length': result.body.byteLength, 'x-request-id': ex.requestId, 'x-switchyard-provider': provider }
      : { 'content-type': 'application/json', 'content-length': result.body.byteLength, 'x-request-id': ex.requestId };
    if (iterations !== undefined) headers[AGENT_ITERATIONS] = String(iterations);
    res.writeHead(200, headers);
    res.end(result.body);
    if (this.deps.logContent) ex.responseBody = result.body;
  }

  /** Headers go out with the first chunk, so an error before it is a plain HTTP error. */
  private async streamed(ex: ChatExchange, res: ServerResponse): Promise<void> {
    const kept: Uint8Array[] | undefined = this.deps.logContent ? [] : undefined;
    for await (const message of this.deps.llm.stream(ex)) {
      const event = message.event;
      if (event.case === 'chunk') {
        if (ex.status === 0) {
          ex.status = 200;
          res.writeHead(200, sseHeaders(ex.requestId));
        }
        if (!res.write(sseFrame(event.value))) await drained(res);
        kept?.push(event.value);
      } else if (event.case === 'outcome') {
        ex.outcome = event.value;
      }
    }
    if (ex.status === 0) {
      ex.status = 200;
      res.writeHead(200, sseHeaders(ex.requestId));
    }
    res.end(SSE_DONE);
    if (kept) ex.responseBody = jsonLines(kept);
  }

  private fail(ex: ChatExchange, res: ServerResponse, err: unknown): void {
    if (ex.signal.aborted && (res.destroyed || !res.writable)) {
      // The client left; nobody to answer. 499 in logs and metrics, as nginx does.
      ex.status = 499;
      ex.errorKind = 'cancelled';
      return;
    }
    const reply = errorReply(err, this.deps.logger, ex.requestId);
    ex.errorKind = reply.kind;
    if (res.headersSent) {
      if (!res.writableEnded) res.end(sseErrorFrame(reply.body));
      return;
    }
    ex.status = reply.status;
    writeErrorReply(res, reply, ex.requestId);
  }

  private finish(ex: ChatExchange): void {
    ex.latencyMs = performance.now() - ex.startedAt;
    // Headers sent means the provider answered: settle on its usage; otherwise release.
    if (ex.principal !== undefined && !ex.settledPerCall) {
      this.deps.limits.settleModel(ex.principal, ex.ticket, { eventId: randomUUID(), requestId: ex.requestId }, ex.model, ex.outcome, ex.status === 200);
    }
    this.recorder.observe(ex.status, ex.latencyMs / 1000);
    this.deps.metrics.tokens(ex.outcome?.usage);
    this.deps.audit.recordChat(ex);
  }
}
