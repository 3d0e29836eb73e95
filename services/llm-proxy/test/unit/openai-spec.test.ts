import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/adapters/http/sse.js';
import { openAIRequest, openAIResponse, openAIStreamTranslator } from '../../src/adapters/providers/openai/spec.js';
import { planRequest } from '../../src/domain/routing.js';
import { fixture, json, provider, table, text } from './helpers.js';

const enc = new TextEncoder();
const t = table([provider('openai'), provider('groq')]);
const call = { requestId: 'r', keyId: '', parentRequestId: '' };

describe('openai-compatible request', () => {
  it('rewrites only model (fallbacks are gone), keeping unknown fields', () => {
    const body = { model: 'groq/llama-3.3-70b', messages: [{ role: 'user', content: 'hi' }], fallbacks: ['openai/gpt-4o'], seed: 7, logit_bias: { '1': 2 }, x_custom: true };
    const r = planRequest({ call, body, stream: false, timeoutMs: 0 }, t);
    expect(openAIRequest(r, 'llama-3.3-70b')).toEqual({ model: 'llama-3.3-70b', messages: [{ role: 'user', content: 'hi' }], seed: 7, logit_bias: { '1': 2 }, x_custom: true });
  });

  it('always asks for usage on streams, keeping other stream options', () => {
    const body = { model: 'openai/gpt-4o', messages: [], stream: true, stream_options: { include_obfuscation: false } };
    const r = planRequest({ call, body, stream: true, timeoutMs: 0 }, t);
    expect(openAIRequest(r, 'gpt-4o')).toMatchObject({ stream: true, stream_options: { include_obfuscation: false, include_usage: true } });
    expect(r.includeUsage).toBe(false);
  });
});

describe('openai-compatible response', () => {
  it('passes the bytes through untouched and reads usage', () => {
    const bytes = enc.encode(fixture('openai/completion.json'));
    const r = openAIResponse(bytes);
    expect(r.body).toBe(bytes);
    expect(r.usage).toEqual({ promptTokens: 19, completionTokens: 10, totalTokens: 29 });
  });

  it('treats a non-JSON answer as an upstream error', () => {
    expect(() => openAIResponse(enc.encode('<html>'))).toThrow(expect.objectContaining({ kind: 'upstream_error' }));
  });
});

function translate(includeUsage: boolean) {
  const r = planRequest({ call, body: { model: 'openai/gpt-4o', messages: [], stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) }, stream: true, timeoutMs: 0 }, t);
  const tr = openAIStreamTranslator(r);
  const parser = new SseParser();
  const chunks: string[] = [];
  for (const e of [...parser.push(enc.encode(fixture('openai/stream-with-usage.sse'))), ...parser.end()]) {
    for (const c of tr.event(e)) chunks.push(text(c));
  }
  return { chunks, usage: tr.usage(), done: tr.done() };
}

describe('openai-compatible stream', () => {
  it('drops the usage-only chunk the client did not ask for, but keeps the usage', () => {
    const { chunks, usage, done } = translate(false);
    expect(chunks).toHaveLength(4);
    expect(chunks.every((c) => (JSON.parse(c) as { choices: unknown[] }).choices.length === 1)).toBe(true);
    expect(usage).toEqual({ promptTokens: 19, completionTokens: 3, totalTokens: 22 });
    expect(done).toBe(true);
  });

  it('passes the usage chunk through when the client asked for it, byte for byte', () => {
    const { chunks, usage } = translate(true);
    const lines = fixture('openai/stream-with-usage.sse').split('\n').filter((l) => l.startsWith('data: {')).map((l) => l.slice(6));
    expect(chunks).toEqual(lines);
    expect(usage?.totalTokens).toBe(22);
  });

  it('turns an error event into an upstream error', () => {
    const r = planRequest({ call, body: { model: 'openai/gpt-4o', messages: [] }, stream: true, timeoutMs: 0 }, t);
    const tr = openAIStreamTranslator(r);
    expect(() => tr.event({ event: undefined, data: '{"error":{"message":"overloaded"}}' })).toThrow(expect.objectContaining({ kind: 'upstream_error', message: 'provider stream failed: overloaded' }));
    expect(json(tr.event({ event: undefined, data: '{"choices":[{"delta":{"content":"\\"error\\""}}]}' })[0] ?? new Uint8Array())).toBeTruthy();
  });
});
