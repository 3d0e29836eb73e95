import type { ChatRequest, JsonObject, ProviderKind, Usage } from '../../domain/types.js';
import type { SseEvent } from '../http/sse.js';

/** Lets transforms report what they adjusted (e.g. a defaulted `max_tokens`). */
export interface TransformContext {
  warn(event: string, fields: Record<string, unknown>): void;
}

export interface ProviderOptions {
  /** `anthropic-version` for Anthropic providers. */
  anthropicVersion?: string;
}

/** Turns a provider's stream events into OpenAI chunk payloads, and keeps the usage. */
export interface StreamTranslator {
  /** OpenAI chunk JSON payloads for one upstream event; throws a SwitchyardError on an error event. */
  event(event: SseEvent): Uint8Array[];
  /** Whether the provider said the stream is complete (`[DONE]`, `message_stop`). */
  done(): boolean;
  usage(): Usage | undefined;
}

/** A provider as data: where to send a chat request, how to sign it, and the pure transforms both ways. */
export interface ProviderSpec {
  kind: ProviderKind;
  /** Appended to the provider's base URL. */
  chatPath: string;
  headers(apiKey: string, options: ProviderOptions): Record<string, string>;
  /** The upstream body for `model`; throws invalid_argument (naming the param) for what it cannot express. */
  toUpstream(request: ChatRequest, model: string, ctx: TransformContext): JsonObject;
  /** An upstream JSON answer as an OpenAI chat completion (bytes) and its usage. */
  fromUpstream(body: Uint8Array, ctx: TransformContext): { body: Uint8Array; usage: Usage | undefined };
  streamTranslator(request: ChatRequest, ctx: TransformContext): StreamTranslator;
}

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenAI's usage object as ours (undefined unless it has token counts). */
export function openAIUsage(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const prompt = typeof value.prompt_tokens === 'number' ? value.prompt_tokens : 0;
  const completion = typeof value.completion_tokens === 'number' ? value.completion_tokens : 0;
  if (typeof value.prompt_tokens !== 'number' && typeof value.completion_tokens !== 'number') return undefined;
  const total = typeof value.total_tokens === 'number' ? value.total_tokens : prompt + completion;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total };
}
