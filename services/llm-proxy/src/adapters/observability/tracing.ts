import { SpanKind, context, contextWith, endSpan, startSpan, tracingActive, type Span } from '@switchyard/obs';
import type { ChatUpstream, UpstreamCall } from '../../domain/ports.js';
import type { ChunkStream, Usage } from '../../domain/types.js';

function open(call: UpstreamCall): Span {
  const { provider, model } = call.target;
  // GenAI semantic conventions: "{operation} {model}", one CLIENT span per upstream attempt.
  return startSpan(`chat ${model}`, SpanKind.CLIENT, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider.kind,
    'gen_ai.request.model': model,
    'switchyard.provider': provider.id,
    'switchyard.provider_key': call.key.name,
    'switchyard.stream': call.request.stream,
  });
}

function recordUsage(span: Span, usage: Usage | undefined): void {
  if (!usage) return;
  span.setAttribute('gen_ai.usage.input_tokens', usage.promptTokens);
  span.setAttribute('gen_ai.usage.output_tokens', usage.completionTokens);
}

function fail(span: Span, err: unknown): never {
  const status = typeof err === 'object' && err !== null ? (err as { upstreamStatus?: unknown }).upstreamStatus : undefined;
  if (typeof status === 'number') span.setAttribute('http.response.status_code', status);
  endSpan(span, err);
  throw err;
}

/** A stream whose span ends when the last chunk has been read (or reading stops). */
function tracedStream(span: Span, stream: ChunkStream): ChunkStream {
  return {
    usage: () => stream.usage(),
    async *[Symbol.asyncIterator]() {
      let failed = false;
      try {
        for await (const chunk of stream) yield chunk;
      } catch (err) {
        failed = true;
        fail(span, err);
      } finally {
        // Also when the reader stops early (the client went away): the span still ends.
        if (!failed) {
          recordUsage(span, stream.usage());
          endSpan(span);
        }
      }
    },
  };
}

/**
 * Every upstream attempt as a span (retries and fallbacks each get their own), under
 * the gRPC server span of the call. Off, it adds one branch per attempt.
 */
export function tracedUpstream(upstream: ChatUpstream): ChatUpstream {
  return {
    async complete(call) {
      if (!tracingActive()) return upstream.complete(call);
      const span = open(call);
      try {
        const result = await context.with(contextWith(span), () => upstream.complete(call));
        recordUsage(span, result.usage);
        endSpan(span);
        return result;
      } catch (err) {
        return fail(span, err);
      }
    },
    async stream(call) {
      if (!tracingActive()) return upstream.stream(call);
      const span = open(call);
      try {
        return tracedStream(span, await context.with(contextWith(span), () => upstream.stream(call)));
      } catch (err) {
        return fail(span, err);
      }
    },
  };
}
