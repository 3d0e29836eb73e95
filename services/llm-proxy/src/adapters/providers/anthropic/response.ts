import { SwitchyardError } from '@switchyard/errors';
import type { JsonObject, Usage } from '../../../domain/types.js';
import { isRecord } from '../spec.js';

const FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  pause_turn: 'stop',
  refusal: 'content_filter',
};

/** Anthropic's stop_reason as OpenAI's finish_reason. */
export function finishReason(stopReason: unknown): string | null {
  if (typeof stopReason !== 'string') return null;
  return FINISH[stopReason] ?? 'stop';
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Anthropic usage as ours; cached input tokens count as prompt tokens, as OpenAI counts them. */
export function anthropicUsage(usage: unknown): Usage | undefined {
  if (!isRecord(usage)) return undefined;
  const prompt = count(usage.input_tokens) + count(usage.cache_creation_input_tokens) + count(usage.cache_read_input_tokens);
  const completion = count(usage.output_tokens);
  return { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion };
}

export function openAIUsageJson(usage: Usage, cachedTokens?: number): JsonObject {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    ...(cachedTokens ? { prompt_tokens_details: { cached_tokens: cachedTokens } } : {}),
  };
}

/** An Anthropic Messages API response as an OpenAI chat completion. */
export function anthropicResponse(message: unknown, now: () => number = Date.now): { body: JsonObject; usage: Usage | undefined } {
  if (!isRecord(message) || !Array.isArray(message.content)) {
    throw new SwitchyardError('upstream_error', 'anthropic sent a response without content');
  }
  const texts: string[] = [];
  const toolCalls: JsonObject[] = [];
  for (const block of message.content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  const usage = anthropicUsage(message.usage);
  const cached = isRecord(message.usage) ? count(message.usage.cache_read_input_tokens) : 0;
  const body: JsonObject = {
    id: message.id,
    object: 'chat.completion',
    created: Math.floor(now() / 1000),
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: texts.length > 0 ? texts.join('') : null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReason(message.stop_reason),
      },
    ],
    ...(usage ? { usage: openAIUsageJson(usage, cached) } : {}),
  };
  return { body, usage };
}
