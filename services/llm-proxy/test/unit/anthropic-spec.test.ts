import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import { SseParser } from '../../src/adapters/http/sse.js';
import { anthropicRequest, DEFAULT_MAX_TOKENS } from '../../src/adapters/providers/anthropic/request.js';
import { anthropicResponse } from '../../src/adapters/providers/anthropic/response.js';
import { anthropicSpec } from '../../src/adapters/providers/anthropic/spec.js';
import { anthropicStreamTranslator } from '../../src/adapters/providers/anthropic/stream.js';
import { planRequest } from '../../src/domain/routing.js';
import type { ChatRequest, JsonObject } from '../../src/domain/types.js';
import { fixture, fixtureJson, provider, table, text } from './helpers.js';

const enc = new TextEncoder();
const t = table([provider('anthropic', { kind: 'anthropic' }), provider('openai')]);
const call = { requestId: 'r', keyId: '', parentRequestId: '' };
const quiet = { warn: () => {} };
const NOW = () => 1_700_000_000_000;

function req(body: JsonObject, stream = false): ChatRequest {
  return planRequest({ call, body: { model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], ...body }, stream, timeoutMs: 0 }, t);
}

function rejection(body: JsonObject): SwitchyardError {
  try {
    anthropicRequest(req(body), 'claude', quiet);
  } catch (err) {
    if (err instanceof SwitchyardError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('anthropic request', () => {
  it('translates a full OpenAI request (system, images, tool calls, tool results, tools) as recorded', () => {
    const r = planRequest({ call, body: fixtureJson<JsonObject>('openai/chat-request-tools.json'), stream: false, timeoutMs: 0 }, t);
    expect(anthropicRequest(r, 'claude-sonnet-4-5', quiet)).toEqual(fixtureJson('anthropic/expected-request-tools.json'));
  });

  it('defaults max_tokens and says so', () => {
    const warnings: string[] = [];
    const out = anthropicRequest(req({}), 'claude', { warn: (e) => void warnings.push(e) });
    expect(out.max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(warnings).toEqual(['anthropic.max_tokens_defaulted']);
    expect(anthropicRequest(req({ max_tokens: 77 }), 'claude', quiet).max_tokens).toBe(77);
  });

  it('maps stream, stop arrays, tool_choice forms and http image URLs', () => {
    expect(anthropicRequest(req({}, true), 'c', quiet).stream).toBe(true);
    expect(anthropicRequest(req({ stop: ['a', 'b'] }), 'c', quiet).stop_sequences).toEqual(['a', 'b']);
    const tools = [{ type: 'function', function: { name: 'f' } }];
    expect(anthropicRequest(req({ tools, tool_choice: 'auto' }), 'c', quiet)).toMatchObject({ tools: [{ name: 'f', input_schema: { type: 'object', properties: {} } }], tool_choice: { type: 'auto' } });
    expect(anthropicRequest(req({ tools, tool_choice: 'none' }), 'c', quiet).tool_choice).toEqual({ type: 'none' });
    expect(anthropicRequest(req({ tools, tool_choice: { type: 'function', function: { name: 'f' } } }), 'c', quiet).tool_choice).toEqual({ type: 'tool', name: 'f' });
    const image = { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] };
    expect(anthropicRequest(req({ messages: [image] }), 'c', quiet).messages).toEqual([{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }] }]);
  });

  it('rejects unsupported parameters by name instead of dropping them', () => {
    const cases: [JsonObject, string][] = [
      [{ n: 2 }, 'n'],
      [{ logprobs: true }, 'logprobs'],
      [{ top_logprobs: 3 }, 'top_logprobs'],
      [{ presence_penalty: 0.5 }, 'presence_penalty'],
      [{ seed: 1 }, 'seed'],
      [{ response_format: { type: 'json_object' } }, 'response_format'],
      [{ temperature: 1.5 }, 'temperature'],
      [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type'],
      [{ messages: [{ role: 'function', content: 'x' }] }, 'messages[0].role'],
      [{ messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{bad' } }] }] }, 'messages[0].tool_calls[0].function.arguments'],
    ];
    for (const [body, param] of cases) {
      const e = rejection(body);
      expect([e.kind, e.param]).toEqual(['invalid_argument', param]);
    }
  });

  it('accepts neutral values of unsupported parameters', () => {
    expect(() => anthropicRequest(req({ n: 1, logprobs: false, presence_penalty: 0, frequency_penalty: 0, response_format: { type: 'text' } }), 'c', quiet)).not.toThrow();
  });

  it('sends x-api-key and anthropic-version', () => {
    expect(anthropicSpec.headers('sk-ant', {})).toEqual({ 'x-api-key': 'sk-ant', 'anthropic-version': '2023-06-01' });
    expect(anthropicSpec.headers('sk-ant', { anthropicVersion: '2024-01-01' })['anthropic-version']).toBe('2024-01-01');
  });
});

describe('anthropic response', () => {
  it('translates text and tool_use into an OpenAI completion, as recorded', () => {
    const { body, usage } = anthropicResponse(fixtureJson('anthropic/message-tool-use.json'), NOW);
    expect(body).toEqual(fixtureJson('anthropic/expected-completion-tool-use.json'));
    expect(usage).toEqual({ promptTokens: 572, completionTokens: 89, totalTokens: 661 });
  });

  it('maps stop reasons', () => {
    const base = fixtureJson<JsonObject>('anthropic/message-max-tokens.json');
    const finish = (stop_reason: string | null) => ((anthropicResponse({ ...base, stop_reason }).body.choices as JsonObject[])[0] as JsonObject).finish_reason;
    expect([finish('end_turn'), finish('max_tokens'), finish('tool_use'), finish('stop_sequence'), finish(null)]).toEqual(['stop', 'length', 'tool_calls', 'stop', null]);
  });

  it('round-trips through the spec as bytes', () => {
    const out = anthropicSpec.fromUpstream(enc.encode(fixture('anthropic/message-max-tokens.json')), quiet);
    const body = JSON.parse(text(out.body)) as JsonObject;
    expect(body.choices).toEqual([{ index: 0, message: { role: 'assistant', content: 'Hi! My name is Claude, and I' }, logprobs: null, finish_reason: 'length' }]);
    expect(out.usage).toEqual({ promptTokens: 10, completionTokens: 10, totalTokens: 20 });
  });
});

function streamChunks(includeUsage: boolean, split: number): { chunks: unknown[]; usage: unknown; done: boolean } {
  const r = req(includeUsage ? { stream_options: { include_usage: true } } : {}, true);
  const tr = anthropicStreamTranslator(r, NOW);
  const parser = new SseParser();
  const bytes = enc.encode(fixture('anthropic/stream-tool-use.sse'));
  const chunks: unknown[] = [];
  for (const piece of [bytes.slice(0, split), bytes.slice(split)]) {
    for (const e of parser.push(piece)) for (const c of tr.event(e)) chunks.push(JSON.parse(text(c)));
  }
  return { chunks, usage: tr.usage(), done: tr.done() };
}

describe('anthropic stream', () => {
  it('translates a recorded tool-use stream into OpenAI chunks, with the usage chunk when asked', () => {
    const expected = fixtureJson<unknown[]>('anthropic/expected-chunks-tool-use.json');
    for (const split of [0, 100, 333, 1000, 1500]) {
      const { chunks, usage, done } = streamChunks(true, split);
      expect(chunks).toEqual(expected);
      expect(usage).toEqual({ promptTokens: 472, completionTokens: 89, totalTokens: 561 });
      expect(done).toBe(true);
    }
  });

  it('keeps the usage but sends no usage chunk unless asked', () => {
    const { chunks, usage } = streamChunks(false, 10);
    expect(chunks).toEqual(fixtureJson<unknown[]>('anthropic/expected-chunks-tool-use.json').slice(0, -1));
    expect(usage).toEqual({ promptTokens: 472, completionTokens: 89, totalTokens: 561 });
  });

  it('turns error events into errors (overloaded is retryable)', () => {
    const tr = anthropicStreamTranslator(req({}, true), NOW);
    expect(() => tr.event({ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' })).toThrow(
      expect.objectContaining({ kind: 'upstream_error', upstreamStatus: 529 }),
    );
  });
});
