// Shared by the mock provider tests: plain HTTP calls, typed views of the responses.

export { parseSse, type SseEvent } from '../../src/sse-parse.js';

export const OPENAI_HEADERS = { authorization: 'Bearer test-key', 'content-type': 'application/json' };
export const ANTHROPIC_HEADERS = {
  'x-api-key': 'test-key',
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
};

export function chat(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...OPENAI_HEADERS, ...headers },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

export function messages(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { ...ANTHROPIC_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
}

export function user(content: string, model = 'gpt-4o-mini'): { model: string; messages: { role: string; content: string }[] } {
  return { model, messages: [{ role: 'user', content }] };
}

// Minimal views of the response shapes, for typed assertions.
export interface OpenAiToolCall {
  index?: number;
  id?: string;
  type?: string;
  function: { name?: string; arguments?: string };
}
export interface OpenAiChunk {
  id: string;
  object: string;
  model: string;
  choices: { index: number; delta: { role?: string; content?: string | null; tool_calls?: OpenAiToolCall[] }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}
export interface OpenAiCompletion {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: { index: number; message: { role: string; content: string | null; tool_calls?: OpenAiToolCall[] }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}
export interface OpenAiError {
  error: { message: string; type: string; param: null; code: string | null };
}
export interface AnthropicError {
  type: 'error';
  error: { type: string; message: string };
}

export async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
