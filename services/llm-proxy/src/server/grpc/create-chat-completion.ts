import type { HandlerContext, llmproxy } from '@switchyard/proto';
import { planRequest } from '../../domain/routing.js';
import type { ChatRequest } from '../../domain/types.js';
import type { GrpcDeps } from './deps.js';
import { callInfo, outcomeToWire, parseBody, refused } from './wire.js';

/** CreateChatCompletion: body bytes in, body bytes and the route outcome out. */
export function createChatCompletion(deps: GrpcDeps) {
  return async (req: llmproxy.CreateChatCompletionRequest, ctx: HandlerContext) => {
    const call = callInfo(req.context);
    let request: ChatRequest;
    try {
      request = planRequest({ call, body: parseBody(req.body), stream: false, timeoutMs: req.timeoutMs }, deps.table);
    } catch (err) {
      throw refused(err, call, deps);
    }
    const { body, outcome } = await deps.chat.complete(request, ctx.signal);
    return { body, outcome: outcomeToWire(outcome) };
  };
}
