import type { Completion } from './completion.js';
import { splitText, sseData } from './sse.js';

// OpenAI Chat Completions wire format, built by string concatenation around JSON.stringify
// of the variable parts only: the mock's hot path.

const q = JSON.stringify;

function usage(c: Completion): string {
  return (
    `{"prompt_tokens":${c.promptTokens},"completion_tokens":${c.completionTokens},` +
    `"total_tokens":${c.promptTokens + c.completionTokens},` +
    '"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},' +
    '"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,' +
    '"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}'
  );
}

function toolCalls(c: Completion): string {
  const calls = c.plan.toolCalls.map(
    (call, i) =>
      `{"id":"call_${c.seq}_${i}","type":"function","function":{"name":${q(call.name)},"arguments":${q(c.argsJson[i] ?? '{}')}}}`,
  );
  return `[${calls.join(',')}]`;
}

export function openaiJson(c: Completion): string {
  const { plan } = c;
  const tools = plan.toolCalls.length > 0;
  const content = plan.reply === null ? 'null' : q(plan.reply);
  const message = `{"role":"assistant","content":${content},${tools ? `"tool_calls":${toolCalls(c)},` : ''}"refusal":null,"annotations":[]}`;
  return (
    `{"id":"chatcmpl-${c.seq}","object":"chat.completion","created":${c.created},"model":${q(c.model)},` +
    `"choices":[{"index":0,"message":${message},"logprobs":null,"finish_reason":"${tools ? 'tool_calls' : 'stop'}"}],` +
    `"usage":${usage(c)},"service_tier":"default","system_fingerprint":"fp_mock"}`
  );
}

/** The SSE events of a streamed completion, `data: [DONE]` included. */
export function openaiStream(c: Completion, includeUsage: boolean): string[] {
  const { plan } = c;
  const head =
    `{"id":"chatcmpl-${c.seq}","object":"chat.completion.chunk","created":${c.created},"model":${q(c.model)},` +
    '"service_tier":"default","system_fingerprint":"fp_mock","choices":[';
  const tail = includeUsage ? '],"usage":null}' : ']}';
  const chunk = (delta: string, finish = 'null'): string =>
    sseData(`${head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}${tail}`);

  const events: string[] = [];
  if (plan.reply !== null) {
    events.push(chunk('{"role":"assistant","content":"","refusal":null}'));
    for (const piece of splitText(plan.reply, plan.chunks)) events.push(chunk(`{"content":${q(piece)}}`));
  }
  plan.toolCalls.forEach((call, i) => {
    const opening = `{"index":${i},"id":"call_${c.seq}_${i}","type":"function","function":{"name":${q(call.name)},"arguments":""}}`;
    events.push(
      chunk(
        events.length === 0
          ? `{"role":"assistant","content":null,"tool_calls":[${opening}],"refusal":null}`
          : `{"tool_calls":[${opening}]}`,
      ),
    );
    for (const piece of splitText(c.argsJson[i] ?? '{}', plan.chunks)) {
      events.push(chunk(`{"tool_calls":[{"index":${i},"function":{"arguments":${q(piece)}}}]}`));
    }
  });
  events.push(chunk('{}', plan.toolCalls.length > 0 ? '"tool_calls"' : '"stop"'));
  if (includeUsage) events.push(sseData(`${head}],"usage":${usage(c)}}`));
  events.push('data: [DONE]\n\n');
  return events;
}

function errorType(status: number): [type: string, code: string | null] {
  if (status === 401) return ['invalid_request_error', 'invalid_api_key'];
  if (status === 403) return ['permission_error', null];
  if (status === 404) return ['invalid_request_error', 'not_found'];
  if (status === 429) return ['requests', 'rate_limit_exceeded'];
  if (status >= 500) return ['server_error', null];
  return ['invalid_request_error', null];
}

/** `{"error":{"message","type","param","code"}}` */
export function openaiError(status: number, message: string): string {
  const [type, code] = errorType(status);
  return `{"error":{"message":${q(message)},"type":"${type}","param":null,"code":${code === null ? 'null' : q(code)}}}`;
}

export const OPENAI_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o3-mini', 'mock-model'];

export const openaiModelsJson = JSON.stringify({
  object: 'list',
  data: OPENAI_MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'mock' })),
});
