import { request } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO, chat, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ overrides: { body_limit_bytes: 64 * 1024, upstream_timeout_ms: 30_000 } });
});
afterAll(async () => {
  await h?.close();
});

const M = 'openai/gpt-4o-mini';
const msgs = [{ role: 'user', content: 'hi' }];

describe('input validation', () => {
  const cases: [string, unknown, string, string | null][] = [
    ['malformed JSON', '{"model":', 'request body is not valid JSON', null],
    ['empty body', '', 'request body is empty: expected a JSON object', null],
    ['array body', '[1,2]', 'request body must be a JSON object', null],
    ['string body', '"hello"', 'request body must be a JSON object', null],
    ['missing model', { messages: msgs }, "missing required parameter: 'model'", 'model'],
    ['numeric model', { model: 5, messages: msgs }, "'model' must be a non-empty string", 'model'],
    ['empty model', { model: '', messages: msgs }, "'model' must be a non-empty string", 'model'],
    ['missing messages', { model: M }, "missing required parameter: 'messages'", 'messages'],
    ['messages not array', { model: M, messages: 'hi' }, "'messages' must be a non-empty array", 'messages'],
    ['messages empty', { model: M, messages: [] }, "'messages' must be a non-empty array", 'messages'],
    ['message not object', { model: M, messages: ['hi'] }, "'messages[0]' must be an object", 'messages[0]'],
    ['message without role', { model: M, messages: [...msgs, { content: 'x' }] }, "'messages[1].role' must be a string", 'messages[1].role'],
    ['stream not boolean', { model: M, messages: msgs, stream: 'yes' }, "'stream' must be a boolean", 'stream'],
    ['stream_options not object', { model: M, messages: msgs, stream: true, stream_options: true }, "'stream_options' must be an object", 'stream_options'],
    ['max_tokens zero', { model: M, messages: msgs, max_tokens: 0 }, "'max_tokens' must be a positive integer", 'max_tokens'],
    ['max_tokens fraction', { model: M, messages: msgs, max_tokens: 1.5 }, "'max_tokens' must be a positive integer", 'max_tokens'],
    ['max_tokens string', { model: M, messages: msgs, max_tokens: '10' }, "'max_tokens' must be a positive integer", 'max_tokens'],
    ['tools not array', { model: M, messages: msgs, tools: {} }, "'tools' must be an array", 'tools'],
  ];
  it.each(cases)('%s → 400 with a clear message', async (_name, body, message, param) => {
    const r = await chat(h.url, body);
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({ message, type: 'invalid_request_error', param, code: 'invalid_argument' });
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });

  it('non-JSON content-type → 400', async () => {
    const r = await chat(h.url, HELLO, { 'content-type': 'text/plain' });
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toBe("unsupported content-type 'text/plain': send the request body as application/json");
  });

  it('body over the limit (content-length) → 413 payload_too_large', async () => {
    const big = { ...HELLO, messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] };
    const r = await chat(h.url, big);
    expect(r.status).toBe(413);
    expect(r.json.error).toMatchObject({ type: 'invalid_request_error', code: 'payload_too_large' });
  });

  it('chunked body over the limit → 413 as soon as the limit is crossed', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"');
      // 80 KiB in 8 KiB pieces, never ending the request: the answer must come anyway.
      for (let i = 0; i < 10; i++) req.write('x'.repeat(8 * 1024));
    });
    expect(status).toBe(413);
  });

  it('a request with unknown extra fields passes them on untouched', async () => {
    const raw = '{ "model" : "openai/gpt-4o-mini", "messages":[{"role":"user","content":"hi"}], "x_vendor": {"a": [1, 2]} }';
    const before = h.fakes.llm.calls.length;
    const r = await chat(h.url, raw);
    expect(r.status).toBe(200);
    expect(Buffer.from(h.fakes.llm.calls[before]!.body).toString()).toBe(raw);
  });
});

describe('non-streaming', () => {
  it('returns llm-proxy body as-is with request id and provider headers', async () => {
    const before = h.fakes.llm.calls.length;
    const r = await chat(h.url, HELLO, { 'x-request-id': 'req-abc.123' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.headers.get('x-request-id')).toBe('req-abc.123');
    expect(r.headers.get('x-switchyard-provider')).toBe('openai');
    expect(r.json).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'echo: hi' } }] });
    const seen = h.fakes.llm.calls[before]!;
    expect(seen).toMatchObject({ requestId: 'req-abc.123', keyId: '', timeoutMs: 30_000 });
  });

  it('replaces an unsafe x-request-id with a UUID', async () => {
    const r = await chat(h.url, HELLO, { 'x-request-id': 'bad id with spaces' });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes a W3C traceparent on to llm-proxy', async () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const before = h.fakes.llm.calls.length;
    await chat(h.url, HELLO, { traceparent: tp });
    expect(h.fakes.llm.calls[before]!.traceparent).toBe(tp);
  });

  it('maps upstream errors: 429 with retry-after, internal without detail', async () => {
    const limited = await chat(h.url, { ...HELLO, model: 'fail/rate-limited' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.json.error).toMatchObject({ type: 'rate_limit_error', message: 'provider rate limit reached' });
    const internal = await chat(h.url, { ...HELLO, model: 'fail/internal' });
    expect(internal.status).toBe(500);
    expect(internal.json.error).toMatchObject({ message: 'internal error', type: 'server_error' });
    expect(internal.text).not.toContain('secret');
  });

  it('the official openai client parses the response', async () => {
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-anything', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: M, messages: [{ role: 'user', content: 'ping' }] });
    expect(completion.choices[0]?.message.content).toBe('echo: ping');
    expect(completion.usage?.total_tokens).toBe(18);
  });

  it('a client that goes away cancels the gRPC call', async () => {
    const before = h.fakes.llm.cancelled;
    const ac = new AbortController();
    const pending = fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...HELLO, model: 'slow/x' }), signal: ac.signal,
    });
    await waitFor(() => h.fakes.llm.calls.some((c) => JSON.parse(Buffer.from(c.body).toString()).model === 'slow/x'));
    ac.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => h.fakes.llm.cancelled > before, 3_000);
  });
});

describe('streaming', () => {
  const client = (): OpenAI => new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-anything', maxRetries: 0 });

  it('frames chunks as SSE and ends with [DONE]', async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...HELLO, stream: true }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const text = await res.text();
    const events = text.split('\n\n');
    expect(events.at(-1)).toBe('');
    expect(events.at(-2)).toBe('data: [DONE]');
    const data = events.slice(0, -2).map((e) => JSON.parse(e.replace(/^data: /, '')) as { object: string });
    expect(data).toHaveLength(4);
    expect(data.every((d) => d.object === 'chat.completion.chunk')).toBe(true);
  });

  it('is parsed by the official openai client', async () => {
    const stream = await client().chat.completions.create({ model: M, messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello');
  });

  it('passes include_usage chunks through', async () => {
    const stream = await client().chat.completions.create({ model: M, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
  });

  it('an error before the first chunk is a plain HTTP error', async () => {
    const r = await chat(h.url, { ...HELLO, model: 'fail/before-first', stream: true });
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.json.error).toMatchObject({ type: 'server_error', message: 'provider answered 500', code: 'upstream_error' });
  });

  it('an error after the first chunk is an SSE error event the client raises', async () => {
    const stream = await client().chat.completions.create({ model: 'fail/mid-stream', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    const run = async (): Promise<void> => {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    };
    await expect(run()).rejects.toMatchObject({ message: expect.stringContaining('provider stream broke') });
    expect(text).toBe('Hel');
  });

  it('client abort cancels the upstream stream', async () => {
    const before = h.fakes.llm.cancelled;
    const ac = new AbortController();
    const stream = await client().chat.completions.create({ model: 'slow/stream', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: ac.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    ac.abort();
    await waitFor(() => h.fakes.llm.cancelled > before, 3_000);
  });
});
