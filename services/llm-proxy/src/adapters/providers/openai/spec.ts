import { SwitchyardError } from '@switchyard/errors';
import type { ChatRequest, JsonObject, Usage } from '../../../domain/types.js';
import type { SseEvent } from '../../http/sse.js';
import { isRecord, openAIUsage, type ProviderSpec, type StreamTranslator } from '../spec.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The request body as the client sent it, with `model` rewritten for the target. Streams
 * always ask for usage (`stream_options.include_usage`), so that it is known for audit.
 */
export function openAIRequest(request: ChatRequest, model: string): JsonObject {
  const body: JsonObject = { ...request.body, model };
  if (request.stream) {
    const options = isRecord(body.stream_options) ? body.stream_options : {};
    body.stream = true;
    body.stream_options = { ...options, include_usage: true };
  }
  return body;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SwitchyardError('upstream_error', `openai-compatible provider sent invalid JSON in ${what}`, { cause: err });
  }
}

/** Passes the upstream bytes through untouched; parses them only for `usage`. */
export function openAIResponse(body: Uint8Array): { body: Uint8Array; usage: Usage | undefined } {
  const parsed = parseJson(decoder.decode(body), 'a response');
  if (!isRecord(parsed)) throw new SwitchyardError('upstream_error', 'openai-compatible provider sent a non-object response');
  return { body, usage: openAIUsage(parsed.usage) };
}

function streamError(error: unknown): SwitchyardError {
  const message = isRecord(error) && typeof error.message === 'string' ? error.message : 'stream error';
  return new SwitchyardError('upstream_error', `provider stream failed: ${message}`);
}

/**
 * Chunks pass through as their bytes. A chunk that mentions usage is parsed: the
 * usage-only chunk (no choices) is kept for us and dropped unless the client asked for it.
 */
export function openAIStreamTranslator(request: ChatRequest): StreamTranslator {
  let usage: Usage | undefined;
  let done = false;
  return {
    event(event: SseEvent): Uint8Array[] {
      const data = event.data;
      if (data === '[DONE]') {
        done = true;
        return [];
      }
      if (!data.includes('"usage"') && !data.includes('"error"')) return [encoder.encode(data)];
      const chunk = parseJson(data, 'a stream chunk');
      if (!isRecord(chunk)) return [];
      if (chunk.error !== undefined && chunk.choices === undefined) throw streamError(chunk.error);
      const found = openAIUsage(chunk.usage);
      if (found) usage = found;
      const usageOnly = found !== undefined && Array.isArray(chunk.choices) && chunk.choices.length === 0;
      if (usageOnly && !request.includeUsage) return [];
      return [encoder.encode(data)];
    },
    done: () => done,
    usage: () => usage,
  };
}

export const openAISpec: ProviderSpec = {
  kind: 'openai',
  chatPath: '/chat/completions',
  headers: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  toUpstream: (request, model) => openAIRequest(request, model),
  fromUpstream: (body) => openAIResponse(body),
  streamTranslator: (request) => openAIStreamTranslator(request),
};
