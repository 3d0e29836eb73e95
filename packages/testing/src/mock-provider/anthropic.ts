import type { Completion } from './completion.js';
import { splitText, sseEvent } from './sse.js';

// Anthropic Messages wire format, hand-assembled like openai.ts.

const q = JSON.stringify;

function stopReason(c: Completion): string {
  return c.plan.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}

function inputTokens(c: Completion): string {
  return `"input_tokens":${c.promptTokens},"cache_creation_input_tokens":0,"cache_read_input_tokens":0`;
}

function toolUse(c: Completion, i: number, name: string, input: string): string {
  return `{"type":"tool_use","id":"toolu_${c.seq}_${i}","name":${q(name)},"input":${input}}`;
}

export function anthropicJson(c: Completion): string {
  const { plan } = c;
  const blocks: string[] = [];
  if (plan.reply !== null) blocks.push(`{"type":"text","text":${q(plan.reply)}}`);
  plan.toolCalls.forEach((call, i) => blocks.push(toolUse(c, i, call.name, c.argsJson[i] ?? '{}')));
  return (
    `{"id":"msg_${c.seq}","type":"message","role":"assistant","model":${q(c.model)},"content":[${blocks.join(',')}],` +
    `"stop_reason":"${stopReason(c)}","stop_sequence":null,` +
    `"usage":{${inputTokens(c)},"output_tokens":${c.completionTokens},"service_tier":"standard"}}`
  );
}

/** The SSE events of a streamed message, in Anthropic's order (ping after the first block opens). */
export function anthropicStream(c: Completion): string[] {
  const { plan } = c;
  const events: string[] = [
    sseEvent(
      'message_start',
      `{"type":"message_start","message":{"id":"msg_${c.seq}","type":"message","role":"assistant",` +
        `"model":${q(c.model)},"content":[],"stop_reason":null,"stop_sequence":null,` +
        `"usage":{${inputTokens(c)},"output_tokens":1,"service_tier":"standard"}}}`,
    ),
  ];
  let index = 0;
  const block = (start: string, deltas: string[]): void => {
    events.push(sseEvent('content_block_start', `{"type":"content_block_start","index":${index},"content_block":${start}}`));
    if (index === 0) events.push(sseEvent('ping', '{"type": "ping"}'));
    for (const delta of deltas) {
      events.push(sseEvent('content_block_delta', `{"type":"content_block_delta","index":${index},"delta":${delta}}`));
    }
    events.push(sseEvent('content_block_stop', `{"type":"content_block_stop","index":${index}}`));
    index++;
  };
  if (plan.reply !== null) {
    const deltas = splitText(plan.reply, plan.chunks).map((t) => `{"type":"text_delta","text":${q(t)}}`);
    block('{"type":"text","text":""}', deltas);
  }
  plan.toolCalls.forEach((call, i) => {
    const pieces = ['', ...splitText(c.argsJson[i] ?? '{}', plan.chunks)];
    block(
      toolUse(c, i, call.name, '{}'),
      pieces.map((p) => `{"type":"input_json_delta","partial_json":${q(p)}}`),
    );
  });
  events.push(
    sseEvent(
      'message_delta',
      `{"type":"message_delta","delta":{"stop_reason":"${stopReason(c)}","stop_sequence":null},` +
        `"usage":{"output_tokens":${c.completionTokens}}}`,
    ),
  );
  events.push(sseEvent('message_stop', '{"type":"message_stop"}'));
  return events;
}

function errorType(status: number): string {
  switch (status) {
    case 400: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 529: return 'overloaded_error';
    default: return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** `{"type":"error","error":{"type","message"}}` */
export function anthropicError(status: number, message: string): string {
  return `{"type":"error","error":{"type":"${errorType(status)}","message":${q(message)}}}`;
}

export const ANTHROPIC_MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1', 'mock-model'];

export const anthropicModelsJson = JSON.stringify({
  data: ANTHROPIC_MODELS.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
  has_more: false,
  first_id: ANTHROPIC_MODELS[0],
  last_id: ANTHROPIC_MODELS.at(-1),
});
