import type { HttpBindings } from '@hono/node-server';
import type { Logger } from '@switchyard/obs';
import type { Context } from 'hono';
import type { McpForwarder } from '../../domain/ports.js';
import { INPUT_METHODS, isGatewayState, verifyState, type MrtrCall, type MrtrRegistry, type RoundEvent } from './mcp-mrtr.js';
import { JSONRPC_INVALID_PARAMS, rpcError, type JsonRpcId, type JsonRpcResponse } from './mcp-server-protocol.js';
import { answerMaybeStreaming, jsonResponse } from './mcp-server-streams.js';

type Env = { Bindings: HttpBindings };
type Json = Record<string, unknown>;

export interface MrtrRouteDeps {
  readonly mrtr: MrtrRegistry;
  readonly forwarder: McpForwarder;
  readonly logger: Logger;
}

export interface ModernToolCall {
  readonly id: JsonRpcId;
  readonly params: Json | undefined;
  /** The caller's declared capabilities (this request's envelope). */
  readonly capabilities: Json;
  /** What the state is bound to: the caller's key and the endpoint. */
  readonly binding: string;
  /** Aborts the upstream call (the first request's controller). */
  readonly abort: AbortController;
  /** Runs the call through dispatch with this emitter (the streamed path). */
  readonly run: (emit: (m: Json) => void) => Promise<JsonRpcResponse>;
  /** Stamps the modern answer (resultType, server info). */
  readonly finish: (answer: JsonRpcResponse) => { status: number; body: JsonRpcResponse };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A modern `tools/call` with MRTR bridging: a new call (relayed requests become
 * `input_required` rounds), or the retry of a parked one (its `requestState` is ours).
 */
export async function serveMrtrToolCall(c: Context<Env>, deps: MrtrRouteDeps, call: ModernToolCall): Promise<Response> {
  const state = call.params?.requestState;
  if (isGatewayState(state)) return resume(c, deps, call, state);
  const name = typeof call.params?.name === 'string' ? call.params.name : '';
  const parked = deps.mrtr.open(name, call.abort);
  parked.start((emit) => call.run((m) => {
    // A relayed request the caller cannot answer (capability not declared, or a method MRTR does not carry) is refused upstream at once.
    if (typeof m.id === 'string' && typeof m.method === 'string') {
      const capability = INPUT_METHODS[m.method];
      if (capability === undefined || !isObject(call.capabilities[capability])) {
        refuse(deps, m.id, capability === undefined ? `${m.method} cannot reach a 2026-07-28 client through the gateway` : `the client did not declare the ${capability} capability`);
        return;
      }
    }
    emit(m);
  }));
  return round(c, deps, call, parked, new AbortController());
}

function refuse(deps: MrtrRouteDeps, relayId: string, message: string): void {
  void deps.forwarder.respond(relayId, { error: { code: -32603, message } }).catch((err: unknown) => deps.logger.warn({ err }, 'mcp.server.relay_failed'));
}

/** One round: progress and logs stream to this request; it ends with the result or the next input_required. */
function round(c: Context<Env>, deps: MrtrRouteDeps, call: ModernToolCall, parked: MrtrCall, abort: AbortController): Promise<Response> {
  const signal = AbortSignal.any([c.req.raw.signal, abort.signal]);
  return answerMaybeStreaming(c, async (emit) => answerOf(deps, call, parked, await parked.next(emit, signal)), abort, call.finish);
}

function answerOf(deps: MrtrRouteDeps, call: ModernToolCall, parked: MrtrCall, e: RoundEvent): JsonRpcResponse {
  if (e.kind === 'answer') return { ...e.answer, id: call.id };
  return { jsonrpc: '2.0', id: call.id, result: deps.mrtr.inputRequired(call.binding, parked, e.requests) };
}

/**
 * The retry: the state is verified (signature, key and endpoint, expiry, tool name), the
 * answers go upstream, and this request waits for the call's next event. Missing answers
 * are asked for again in a fresh `input_required`; an unknown, expired or tampered state
 * is -32602.
 */
async function resume(c: Context<Env>, deps: MrtrRouteDeps, call: ModernToolCall, state: string): Promise<Response> {
  const claims = verifyState(deps.mrtr.secret, call.binding, state);
  const parked = claims && claims.n === call.params?.name ? deps.mrtr.get(claims.h) : undefined;
  if (!claims || !parked) {
    return jsonResponse(c, 200, rpcError(call.id, JSONRPC_INVALID_PARAMS, 'Invalid params: requestState is invalid, expired or unknown to this gateway; call the tool again without it'));
  }
  if (parked.active) return jsonResponse(c, 200, rpcError(call.id, JSONRPC_INVALID_PARAMS, 'Invalid params: another retry of this call is in progress'));
  const responses = isObject(call.params?.inputResponses) ? call.params.inputResponses : {};
  const missing = [];
  for (const id of claims.ids) {
    const request = parked.outstanding.get(id);
    if (request === undefined) continue;
    const answer = responses[id];
    if (!isObject(answer)) { missing.push(request); continue; }
    parked.outstanding.delete(id);
    try {
      await deps.forwarder.respond(id, { result: answer });
    } catch (err) {
      deps.logger.warn({ err }, 'mcp.server.relay_failed');
    }
  }
  if (missing.length > 0) {
    parked.rearm();
    const { status, body } = call.finish({ jsonrpc: '2.0', id: call.id, result: deps.mrtr.inputRequired(call.binding, parked, missing) });
    return jsonResponse(c, status, body);
  }
  return round(c, deps, call, parked, new AbortController());
}
