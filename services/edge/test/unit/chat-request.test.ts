import { SwitchyardError } from '@switchyard/errors';
import { describe, expect, it } from 'vitest';
import { assertJsonContentType, isJsonContentType, parseChatRequest } from '../../src/domain/chat-request.js';

function failure(text: string): { message: string; param: string | undefined; kind: string } {
  try {
    parseChatRequest(text);
  } catch (err) {
    if (err instanceof SwitchyardError) return { message: err.message, param: err.param, kind: err.kind };
    throw err;
  }
  throw new Error('expected a failure');
}

const msgs = [{ role: 'user', content: 'hi' }];
const M = 'openai/gpt-4o';
const body = (extra: Record<string, unknown>): string => JSON.stringify({ model: M, messages: msgs, ...extra });

describe('parseChatRequest', () => {
  it.each([
    ['{"model":', 'request body is not valid JSON', undefined],
    ['', 'request body is empty: expected a JSON object', undefined],
    ['null', 'request body must be a JSON object', undefined],
    ['[]', 'request body must be a JSON object', undefined],
    ['42', 'request body must be a JSON object', undefined],
    [JSON.stringify({ messages: msgs }), "missing required parameter: 'model'", 'model'],
    [JSON.stringify({ model: null, messages: msgs }), "missing required parameter: 'model'", 'model'],
    [JSON.stringify({ model: 1, messages: msgs }), "'model' must be a non-empty string", 'model'],
    [JSON.stringify({ model: '', messages: msgs }), "'model' must be a non-empty string", 'model'],
    [JSON.stringify({ model: M }), "missing required parameter: 'messages'", 'messages'],
    [JSON.stringify({ model: M, messages: {} }), "'messages' must be a non-empty array", 'messages'],
    [JSON.stringify({ model: M, messages: [] }), "'messages' must be a non-empty array", 'messages'],
    [JSON.stringify({ model: M, messages: [null] }), "'messages[0]' must be an object", 'messages[0]'],
    [JSON.stringify({ model: M, messages: [[]] }), "'messages[0]' must be an object", 'messages[0]'],
    [JSON.stringify({ model: M, messages: [...msgs, { role: 3 }] }), "'messages[1].role' must be a string", 'messages[1].role'],
    [body({ stream: 1 }), "'stream' must be a boolean", 'stream'],
    [body({ stream: 'true' }), "'stream' must be a boolean", 'stream'],
    [body({ stream_options: [] }), "'stream_options' must be an object", 'stream_options'],
    [body({ max_tokens: -1 }), "'max_tokens' must be a positive integer", 'max_tokens'],
    [body({ max_tokens: 2.5 }), "'max_tokens' must be a positive integer", 'max_tokens'],
    [body({ max_completion_tokens: 0 }), "'max_completion_tokens' must be a positive integer", 'max_completion_tokens'],
    [body({ tools: 'x' }), "'tools' must be an array", 'tools'],
  ])('%s → %s', (text, message, param) => {
    expect(failure(text)).toEqual({ message, param, kind: 'invalid_argument' });
  });

  it('accepts a valid request and returns the parsed object itself', () => {
    const parsed = parseChatRequest(body({ stream: true, stream_options: { include_usage: true }, max_tokens: 5, tools: [], extra: 1 }));
    expect(parsed.model).toBe(M);
    expect(parsed.stream).toBe(true);
    expect((parsed as unknown as { extra: number }).extra).toBe(1);
  });

  it('treats null optional fields as absent, as OpenAI does', () => {
    expect(parseChatRequest(body({ stream: null, stream_options: null, max_tokens: null, tools: null })).stream).toBeNull();
  });
});

describe('content type', () => {
  it.each([
    [undefined, true], ['application/json', true], ['application/json; charset=utf-8', true], ['Application/JSON', true],
    ['application/vnd.api+json', true], ['text/plain', false], ['application/x-www-form-urlencoded', false], ['multipart/form-data; boundary=x', false],
  ])('%s → %s', (type, ok) => {
    expect(isJsonContentType(type)).toBe(ok);
  });

  it('names the bad type', () => {
    expect(() => assertJsonContentType('text/plain')).toThrow("unsupported content-type 'text/plain': send the request body as application/json");
  });
});
