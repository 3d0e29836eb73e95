import type { HandlerContext, llmproxy } from '@switchyard/proto';
import { planRequest } from '../../domain/routing.js';
import type { ChatRequest } from '../../domain/types.js';
import type { GrpcDeps } from './deps.js';
import { callInfo, outcomeToWire, parseBody, refused } from './wire.js';

/** StreamChatCompletion: one message per OpenAI chunk (JSON, no `data: ` framing), then the outcome. */
export function streamChatCompletion(deps: GrpcDeps) {
  return async function* (req: llmproxy.StreamChatCompletionRequest, ctx: HandlerContext) {
    const call = callInfo(req.context);
    let request: ChatRequest;
    try {
      request = planRequest({ call, body: parseBody(req.body), stream: true, timeoutMs: req.timeoutMs }, deps.table);
    } catch (err) {
      throw refused(err, call, deps);
    }
    const result = await deps.chat.stream(request, ctx.signal);
    for await (const chunk of result.chunks) yield { event: { case: 'chunk' as const, value: chunk } };
    yield { event: { case: 'outcome' as const, value: outcomeToWire(result.outcome()) } };
  };
}
