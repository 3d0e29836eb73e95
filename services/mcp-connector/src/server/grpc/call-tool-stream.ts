import { SwitchyardError } from '@switchyard/errors';
import type { mcpconnector, ServerStreamingHandler } from '@switchyard/proto';
import type { McpConnector } from '../../domain/connector.js';
import type { CallObserver, JsonObject } from '../../domain/ports.js';
import type { CallRelay } from '../../domain/relay.js';
import { encodeJson, parseObject } from './json.js';

type Event =
  | { event: { case: 'progress' | 'log' | 'result'; value: Uint8Array } }
  | { event: { case: 'request'; value: { id: string; method: string; params: Uint8Array } } };

/**
 * tools/call as a stream: progress, log messages and relayed server-to-client requests
 * as they happen, then the result. Cancelled when the caller cancels the stream or
 * CancelCall names its call key; the upstream call is aborted either way.
 */
export function callToolStream(connector: McpConnector, relay: CallRelay): ServerStreamingHandler<typeof mcpconnector.CallToolStreamRequestSchema, typeof mcpconnector.CallToolStreamResponseSchema> {
  return async function* (request, ctx) {
    if (!request.name) throw new SwitchyardError('invalid_argument', 'name is required', { param: 'name' });
    const args = parseObject(request.arguments, 'arguments');
    const { progressToken: _ignored, ...meta } = parseObject(request.meta, 'meta');
    const { controller, release } = relay.track(request.callKey, ctx.signal);

    const queue: Event[] = [];
    let wake: (() => void) | undefined;
    const push = (e: Event): void => { queue.push(e); wake?.(); };
    const observer: CallObserver = {
      onLog: (params) => push({ event: { case: 'log', value: encodeJson(params) } }),
      onRequest: (method, params, signal) => {
        const both = AbortSignal.any([signal, controller.signal]);
        const { id, answer } = relay.awaitAnswer(both);
        push({ event: { case: 'request', value: { id, method, params: encodeJson(params) } } });
        return answer;
      },
      ...(request.progress ? { onProgress: (p: JsonObject) => push({ event: { case: 'progress', value: encodeJson(p) } }) } : {}),
    };
    let outcome: { result: JsonObject } | { error: unknown } | undefined;
    const call = connector.callTool(request.name, args, {
      signal: controller.signal, observer,
      ...(request.timeoutMs > 0 ? { timeoutMs: request.timeoutMs } : {}),
      ...(Object.keys(meta).length > 0 ? { meta } : {}),
      ...(request.session ? { session: request.session } : {}),
    }).then((result) => { outcome = { result }; }, (error: unknown) => { outcome = { error }; }).finally(() => wake?.());
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (outcome) break;
        await new Promise<void>((resolve) => { wake = resolve; });
        wake = undefined;
      }
      while (queue.length > 0) yield queue.shift()!;
      await call;
      if ('error' in outcome) throw outcome.error;
      yield { event: { case: 'result', value: encodeJson(outcome.result) } };
    } finally {
      release();
      if (!outcome) controller.abort(new Error('stream closed'));
    }
  };
}
