import type { EarlyAnswer } from './pipeline.js';
import type { ChatRequest, JsonObject, RouteOutcome } from './types.js';

const encoder = new TextEncoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** The outcome of a request a hook answered: no provider, no attempts. */
export function earlyOutcome(request: ChatRequest, answer: EarlyAnswer): RouteOutcome {
  return { provider: '', model: request.model, keyName: '', attempts: 0, fallbacksUsed: 0, usage: answer.usage };
}

function record(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

/** A hook's complete answer as stream chunks: one per choice with the whole message as its delta, then usage if asked. */
export function answerChunks(request: ChatRequest, answer: EarlyAnswer): Uint8Array[] {
  const body = answer.body;
  const base = {
    id: typeof body.id === 'string' ? body.id : `chatcmpl-${request.call.requestId || 'early'}`,
    object: 'chat.completion.chunk',
    created: typeof body.created === 'number' ? body.created : Math.floor(Date.now() / 1000),
    model: typeof body.model === 'string' ? body.model : request.model,
  };
  const choices = Array.isArray(body.choices) ? body.choices.map(record) : [];
  const chunks = choices.map((c, i) =>
    encodeJson({ ...base, choices: [{ index: typeof c.index === 'number' ? c.index : i, delta: record(c.message), finish_reason: c.finish_reason ?? 'stop' }] }),
  );
  if (request.includeUsage && answer.usage) {
    const u = answer.usage;
    chunks.push(encodeJson({ ...base, choices: [], usage: { prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.totalTokens } }));
  }
  return chunks;
}
