import { Metadata } from '@grpc/grpc-js';
import type { CallOptions, llmproxy, ServiceClient } from '@switchyard/proto';
import type { LlmGateway } from '../../domain/ports.js';
import type { Completion, LlmCall, StreamMessage } from '../../domain/types.js';

type LlmProxyClient = ServiceClient<typeof llmproxy.LlmProxyService>;

/**
 * The gRPC deadline trails the upstream timeout a little, so that llm-proxy's own
 * timeout (a clear `upstream_timeout`) answers first.
 */
const DEADLINE_MARGIN_MS = 2_000;
const LIST_MODELS_TIMEOUT_MS = 5_000;

function callOptions(call: LlmCall): CallOptions {
  if (call.traceparent === undefined) return { signal: call.signal, timeoutMs: call.timeoutMs + DEADLINE_MARGIN_MS };
  const metadata = new Metadata();
  metadata.set('traceparent', call.traceparent);
  return { signal: call.signal, timeoutMs: call.timeoutMs + DEADLINE_MARGIN_MS, metadata };
}

/**
 * llm-proxy over gRPC. Responses are handed on as they come (the wire messages are
 * structurally the domain types): no per-chunk copy, no wrapping generator.
 */
export class GrpcLlmGateway implements LlmGateway {
  constructor(private readonly client: LlmProxyClient) {}

  complete(call: LlmCall): Promise<Completion> {
    return this.client.createChatCompletion(
      { context: { requestId: call.requestId, keyId: call.keyId }, body: call.body, timeoutMs: call.timeoutMs },
      callOptions(call),
    );
  }

  stream(call: LlmCall): AsyncIterable<StreamMessage> {
    return this.client.streamChatCompletion(
      { context: { requestId: call.requestId, keyId: call.keyId }, body: call.body, timeoutMs: call.timeoutMs },
      callOptions(call),
    );
  }

  async listModels(signal?: AbortSignal): Promise<Uint8Array> {
    const res = await this.client.listModels({}, { timeoutMs: LIST_MODELS_TIMEOUT_MS, ...(signal ? { signal } : {}) });
    return res.body;
  }
}
