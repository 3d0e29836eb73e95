import { toSwitchyardError, type SwitchyardError } from '@switchyard/errors';
import { answerChunks, earlyOutcome, encodeJson } from './early-answer.js';
import { runAfter, runBefore, type Hook, type HookContext, type HookErrorReporter } from './pipeline.js';
import { abortError, routeCompletion, routeStream, type RouterDeps } from './route.js';
import type { ChatRequest, CompletionResult, RouteOutcome, StreamResult } from './types.js';

export interface ChatServiceDeps extends RouterDeps {
  hooks: readonly Hook[];
  reportHookError: HookErrorReporter;
}

/** Chat completions through the hook pipeline, routing, retries and fallbacks. */
export interface ChatService {
  complete(request: ChatRequest, signal: AbortSignal): Promise<CompletionResult>;
  /** Resolves once the first chunk is in hand (until then, failures retry and fall back). */
  stream(request: ChatRequest, signal: AbortSignal): Promise<StreamResult>;
}

interface Deadline {
  signal: AbortSignal;
  clear(): void;
}

/**
 * The caller's signal, bounded by the request's deadline when it has one. The timer is
 * cleared when the call ends: long deadlines must not pile up timers at thousands of rps.
 */
function deadline(signal: AbortSignal, timeoutMs: number): Deadline {
  if (timeoutMs <= 0) return { signal, clear: () => {} };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`deadline of ${timeoutMs} ms exceeded`, 'TimeoutError')), timeoutMs);
  return { signal: AbortSignal.any([signal, controller.signal]), clear: () => clearTimeout(timer) };
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  const after = (ran: Hook[], ctx: HookContext, request: ChatRequest, outcome: RouteOutcome, early: boolean): Promise<void> =>
    runAfter(ran, ctx, request, { ok: true, outcome, early }, deps.reportHookError);
  const failed = async (ran: Hook[], ctx: HookContext, request: ChatRequest, err: unknown): Promise<SwitchyardError> => {
    const error = ctx.signal.aborted ? abortError(ctx.signal) : toSwitchyardError(err);
    await runAfter(ran, ctx, request, { ok: false, error }, deps.reportHookError).catch(() => {});
    return error;
  };

  async function complete(request: ChatRequest, signal: AbortSignal): Promise<CompletionResult> {
    const limit = deadline(signal, request.timeoutMs);
    try {
      return await completeWithin({ call: request.call, signal: limit.signal }, request);
    } finally {
      limit.clear();
    }
  }

  async function completeWithin(ctx: HookContext, request: ChatRequest): Promise<CompletionResult> {
    const { ran, answer } = await runBefore(deps.hooks, ctx, request, deps.reportHookError);
    if (answer) {
      const outcome = earlyOutcome(request, answer);
      await after(ran, ctx, request, outcome, true);
      return { body: encodeJson(answer.body), outcome };
    }
    let result: CompletionResult;
    try {
      result = await routeCompletion(request, ctx.signal, deps);
    } catch (err) {
      throw await failed(ran, ctx, request, err);
    }
    await after(ran, ctx, request, result.outcome, false);
    return result;
  }

  async function stream(request: ChatRequest, signal: AbortSignal): Promise<StreamResult> {
    const limit = deadline(signal, request.timeoutMs);
    try {
      const result = await streamWithin({ call: request.call, signal: limit.signal }, request);
      return { chunks: clearing(result.chunks, limit), outcome: result.outcome };
    } catch (err) {
      limit.clear();
      throw err;
    }
  }

  async function* clearing(chunks: AsyncIterable<Uint8Array>, limit: Deadline): AsyncGenerator<Uint8Array> {
    try {
      yield* chunks;
    } finally {
      limit.clear();
    }
  }

  async function streamWithin(ctx: HookContext, request: ChatRequest): Promise<StreamResult> {
    const { ran, answer } = await runBefore(deps.hooks, ctx, request, deps.reportHookError);
    let inner: StreamResult;
    if (answer) {
      const outcome = earlyOutcome(request, answer);
      const chunks = answerChunks(request, answer);
      inner = { chunks: (async function* () { yield* chunks; })(), outcome: () => outcome };
    } else {
      try {
        inner = await routeStream(request, ctx.signal, deps);
      } catch (err) {
        throw await failed(ran, ctx, request, err);
      }
    }
    async function* withHooks(): AsyncGenerator<Uint8Array> {
      let done = false;
      try {
        for await (const chunk of inner.chunks) yield chunk;
        done = true;
      } catch (err) {
        done = true;
        throw await failed(ran, ctx, request, err);
      } finally {
        // The consumer stopped early (the client cancelled): the hooks still hear of it.
        if (!done) await failed(ran, ctx, request, abortError(ctx.signal));
      }
      await after(ran, ctx, request, inner.outcome(), answer !== undefined);
    }
    return { chunks: withHooks(), outcome: inner.outcome };
  }

  return { complete, stream };
}
