import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { REQUEST_CANCELLED, type JsonRpcId, type JsonRpcResponse } from './mcp-server-protocol.js';
import { META_SUBSCRIPTION_ID, type ListKind } from './mcp-server-modern.js';

/** The SSE responses of the northbound MCP server: a request's own stream, the legacy GET stream, `subscriptions/listen`. */

type Env = { Bindings: HttpBindings };

/** Tells listeners that mcp-connector's catalog changed. */
export class ChangeFeed {
  readonly #listeners = new Set<() => void>();
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  changed(): void {
    for (const l of this.#listeners) l();
  }
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };
const encoder = new TextEncoder();
export const frame = (message: unknown): Uint8Array => encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
const KEEP_ALIVE_MS = 15_000;

export function jsonResponse(c: Context<Env>, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return c.newResponse(JSON.stringify(body), status as 200, { ...headers, 'content-type': 'application/json' });
}

/**
 * Runs a request whose handler may send messages before its response (progress, logs,
 * relayed sampling/elicitation). The answer stays `application/json` unless a message
 * comes first; then it becomes an SSE stream carrying those messages and the response.
 * A client that closes the stream (or its connection) cancels the call.
 */
export async function answerMaybeStreaming(
  c: Context<Env>,
  run: (emit: (m: Record<string, unknown>) => void) => Promise<JsonRpcResponse>,
  abort: AbortController,
  finish: (answer: JsonRpcResponse) => { status: number; body: JsonRpcResponse } = (answer) => ({ status: 200, body: answer }),
): Promise<Response> {
  let push: ((chunk: Uint8Array) => void) | undefined;
  const early: unknown[] = [];
  let streaming: (() => void) | undefined;
  const firstMessage = new Promise<'stream'>((resolve) => { streaming = () => resolve('stream'); });
  const done = run((m) => {
    if (push) push(frame(m));
    else { early.push(m); streaming?.(); }
  });
  const first = await Promise.race([done, firstMessage]);
  if (first !== 'stream') {
    const { status, body } = finish(first);
    return jsonResponse(c, status, body);
  }
  let open = true;
  const body = new ReadableStream<Uint8Array>({
    start(ctrl) {
      for (const m of early) ctrl.enqueue(frame(m));
      push = (chunk) => { if (open) ctrl.enqueue(chunk); };
      // After a cancel the call still settles (aborted): nothing more goes on the closed stream.
      void done.then(
        (answer) => {
          if (!open) return;
          open = false;
          // A cancelled request gets nothing more: the stream ends without its response.
          if (!cancelledAnswer(answer)) ctrl.enqueue(frame(finish(answer).body));
          ctrl.close();
        },
        (err: unknown) => { if (open) { open = false; ctrl.error(err); } },
      );
    },
    // The client went away: the upstream call is cancelled.
    cancel() { open = false; abort.abort(new Error('client closed the stream')); },
  });
  return c.newResponse(body, 200, SSE_HEADERS);
}

function cancelledAnswer(answer: JsonRpcResponse): boolean {
  const error = (answer as { error?: { code?: unknown } }).error;
  return error?.code === REQUEST_CANCELLED;
}

/** A long-lived SSE stream fed by catalog changes, closed when the client goes away. */
function changeStream(c: Context<Env>, changes: ChangeFeed | undefined, first: readonly unknown[], onChange: () => readonly unknown[], attach?: Attach): Response {
  let stop = (): void => undefined;
  const body = new ReadableStream<Uint8Array>({
    start(ctrl) {
      for (const m of first) ctrl.enqueue(frame(m));
      const unsubscribeChanges = changes?.subscribe(() => { for (const m of onChange()) ctrl.enqueue(frame(m)); }) ?? (() => false);
      const detach = attach?.((m) => ctrl.enqueue(frame(m))) ?? (() => undefined);
      const unsubscribe = (): void => { unsubscribeChanges(); detach(); };
      const keepAlive = setInterval(() => ctrl.enqueue(encoder.encode(': keep-alive\n\n')), KEEP_ALIVE_MS);
      keepAlive.unref();
      stop = () => { unsubscribe(); clearInterval(keepAlive); };
      c.req.raw.signal.addEventListener('abort', () => { stop(); try { ctrl.close(); } catch { /* closed */ } }, { once: true });
    },
    cancel() { stop(); },
  });
  return c.newResponse(body, 200, SSE_HEADERS);
}

/** Other messages for a change stream (resource updates): given the push function, returns the detach function. */
export type Attach = (push: (message: unknown) => void) => () => void;

/** The legacy GET stream: `notifications/<kind>/list_changed` whenever mcp-connector's catalog changes, and `attach`'s messages (resource updates). */
export function notificationStream(c: Context<Env>, changes: ChangeFeed, attach?: Attach): Response {
  return changeStream(c, changes, [], () => (['tools', 'resources', 'prompts'] as const).map((kind) => ({ jsonrpc: '2.0', method: `notifications/${kind}/list_changed` })), attach);
}

/** The `_meta` that tags every message of a listen stream. */
export function subscriptionMeta(id: JsonRpcId): Record<string, unknown> {
  return { [META_SUBSCRIPTION_ID]: id };
}

/**
 * `subscriptions/listen` (2026-07-28): the acknowledgment first, then the opted-in
 * `notifications/<kind>/list_changed`, each tagged with the subscription id (the
 * request's id). Open until the client closes it.
 */
export function listenStream(c: Context<Env>, changes: ChangeFeed | undefined, id: JsonRpcId, kinds: readonly ListKind[], ack: Record<string, unknown>, attach?: Attach): Response {
  const meta = subscriptionMeta(id);
  const acknowledged = { jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: meta, notifications: ack } };
  return changeStream(c, changes, [acknowledged], () => kinds.map((kind) => ({ jsonrpc: '2.0', method: `notifications/${kind}/list_changed`, params: { _meta: meta } })), attach);
}
