import { SwitchyardError } from '@switchyard/errors';
import type { ChatRequest, JsonObject, Usage } from '../../../domain/types.js';
import type { SseEvent } from '../../http/sse.js';
import { isRecord, type StreamTranslator } from '../spec.js';
import { anthropicUsage, finishReason, openAIUsageJson } from './response.js';

const encoder = new TextEncoder();

function parse(data: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (err) {
    throw new SwitchyardError('upstream_error', 'anthropic sent an invalid stream event', { cause: err });
  }
  if (!isRecord(value)) throw new SwitchyardError('upstream_error', 'anthropic sent an invalid stream event');
  return value;
}

function streamError(event: JsonObject): SwitchyardError {
  const error = isRecord(event.error) ? event.error : {};
  const type = typeof error.type === 'string' ? error.type : 'error';
  const message = typeof error.message === 'string' ? error.message : 'stream error';
  const status = type === 'overloaded_error' ? 529 : type === 'rate_limit_error' ? 429 : type === 'invalid_request_error' ? 400 : 500;
  if (status === 400) return new SwitchyardError('invalid_argument', message, { upstreamStatus: status });
  return new SwitchyardError('upstream_error', `anthropic stream failed (${type}): ${message}`, { upstreamStatus: status });
}

/**
 * Anthropic stream events as OpenAI chunks: message_start → the role chunk; text and
 * tool-use blocks → content and tool_calls deltas (tool calls numbered in order of
 * appearance); message_delta → finish_reason; message_stop → the usage chunk if asked.
 */
export function anthropicStreamTranslator(request: ChatRequest, now: () => number = Date.now): StreamTranslator {
  let id = '';
  let model = request.model;
  const created = Math.floor(now() / 1000);
  let inputUsage: JsonObject = {};
  let outputTokens = 0;
  let usage: Usage | undefined;
  let done = false;
  const toolIndex = new Map<number, number>();

  const chunk = (delta: JsonObject, finish: string | null = null): Uint8Array =>
    encoder.encode(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }));

  const blockStart = (event: JsonObject): Uint8Array[] => {
    const block = isRecord(event.content_block) ? event.content_block : {};
    const index = typeof event.index === 'number' ? event.index : -1;
    if (block.type === 'tool_use') {
      const t = toolIndex.size;
      toolIndex.set(index, t);
      return [chunk({ tool_calls: [{ index: t, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] })];
    }
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') return [chunk({ content: block.text })];
    return [];
  };

  const blockDelta = (event: JsonObject): Uint8Array[] => {
    const delta = isRecord(event.delta) ? event.delta : {};
    if (delta.type === 'text_delta' && typeof delta.text === 'string') return [chunk({ content: delta.text })];
    if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
      const t = toolIndex.get(typeof event.index === 'number' ? event.index : -1);
      if (t === undefined || delta.partial_json === '') return [];
      return [chunk({ tool_calls: [{ index: t, function: { arguments: delta.partial_json } }] })];
    }
    return []; // thinking and signature deltas: not part of the OpenAI shape
  };

  const finish = (): Uint8Array[] => {
    done = true;
    usage = anthropicUsage({ ...inputUsage, output_tokens: outputTokens });
    if (!request.includeUsage || !usage) return [];
    const cached = typeof inputUsage.cache_read_input_tokens === 'number' ? inputUsage.cache_read_input_tokens : 0;
    return [encoder.encode(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: openAIUsageJson(usage, cached) }))];
  };

  return {
    event(sse: SseEvent): Uint8Array[] {
      const event = parse(sse.data);
      const type = typeof event.type === 'string' ? event.type : sse.event;
      switch (type) {
        case 'message_start': {
          const message = isRecord(event.message) ? event.message : {};
          if (typeof message.id === 'string') id = message.id;
          if (typeof message.model === 'string') model = message.model;
          if (isRecord(message.usage)) {
            inputUsage = message.usage;
            if (typeof message.usage.output_tokens === 'number') outputTokens = message.usage.output_tokens;
          }
          return [chunk({ role: 'assistant', content: '' })];
        }
        case 'content_block_start':
          return blockStart(event);
        case 'content_block_delta':
          return blockDelta(event);
        case 'message_delta': {
          const delta = isRecord(event.delta) ? event.delta : {};
          if (isRecord(event.usage)) {
            if (typeof event.usage.output_tokens === 'number') outputTokens = event.usage.output_tokens;
            if (typeof event.usage.input_tokens === 'number') inputUsage = { ...inputUsage, ...event.usage };
          }
          return delta.stop_reason === undefined ? [] : [chunk({}, finishReason(delta.stop_reason))];
        }
        case 'message_stop':
          return finish();
        case 'error':
          throw streamError(event);
        default:
          return []; // ping, content_block_stop
      }
    },
    done: () => done,
    usage: () => usage ?? (id === '' ? undefined : anthropicUsage({ ...inputUsage, output_tokens: outputTokens })),
  };
}
