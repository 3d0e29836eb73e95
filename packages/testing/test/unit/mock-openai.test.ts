import { describe, expect, it } from 'vitest';
import { startMockProvider } from '../../src/mock-provider/index.js';
import { chat, json, parseSse, user, type OpenAiChunk, type OpenAiCompletion, type OpenAiError, type OpenAiToolCall } from './helpers.js';

describe('mock provider: OpenAI chat completions', () => {
  it('answers a JSON completion echoing the model, with deterministic usage', async () => {
    await using mock = await startMockProvider();
    const res = await chat(mock.url, user('What is the capital of France? Please answer briefly.', 'gpt-4.1'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await json<OpenAiCompletion>(res);
    expect(body.object).toBe('chat.completion');
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.model).toBe('gpt-4.1');
    expect(Number.isInteger(body.created)).toBe(true);
    const reply = 'Mock reply to: What is the capital of France? Please an';
    expect(body.choices).toEqual([
      expect.objectContaining({ index: 0, message: expect.objectContaining({ role: 'assistant', content: reply }), finish_reason: 'stop' }),
    ]);
    const prompt = Math.ceil('What is the capital of France? Please answer briefly.'.length / 4);
    const completion = Math.ceil(reply.length / 4);
    expect(body.usage).toMatchObject({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
  });

  it('serves the same route without the /v1 prefix, and a models list', async () => {
    await using mock = await startMockProvider();
    const res = await fetch(`${mock.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: JSON.stringify(user('hi')),
    });
    expect((await json<OpenAiCompletion>(res)).choices[0]?.message.content).toBe('Mock reply to: hi');
    const models = await json<{ object: string; data: { id: string; object: string }[] }>(
      await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer k' } }),
    );
    expect(models.object).toBe('list');
    expect(models.data.map((m) => m.id)).toContain('gpt-4o-mini');
    expect(models.data.every((m) => m.object === 'model')).toBe(true);
  });

  it('streams chat.completion.chunk events with a role chunk, content deltas, a finish chunk and [DONE]', async () => {
    await using mock = await startMockProvider();
    const res = await chat(mock.url, { ...user('streaming please'), stream: true });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    expect(events.every((e) => e.event === undefined)).toBe(true);
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as OpenAiChunk);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]?.id)).toBe(true);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: 'assistant', content: '' });
    const deltas = chunks.slice(1, -1).map((c) => c.choices[0]?.delta.content);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Mock reply to: streaming please');
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
  });

  it('adds a usage chunk with empty choices when stream_options.include_usage is set', async () => {
    await using mock = await startMockProvider();
    const res = await chat(mock.url, { ...user('count me'), stream: true, stream_options: { include_usage: true } });
    const events = parseSse(await res.text());
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as OpenAiChunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual(expect.objectContaining({ prompt_tokens: 2, completion_tokens: 6, total_tokens: 8 }));
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('answers tool calls as JSON with finish_reason tool_calls', async () => {
    await using mock = await startMockProvider();
    const res = await chat(mock.url, user('weather?\nmock: tool=get_weather args={"city": "Paris", "unit": "c"} tool=get_time'));
    const body = await json<OpenAiCompletion>(res);
    const choice = body.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const calls = choice?.message.tool_calls ?? [];
    expect(calls.map((c) => [c.type, c.function.name, JSON.parse(c.function.arguments ?? '') as unknown])).toEqual([
      ['function', 'get_weather', { city: 'Paris', unit: 'c' }],
      ['function', 'get_time', {}],
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it('streams tool calls the way OpenAI does, and they reassemble', async () => {
    await using mock = await startMockProvider();
    const args = { query: 'switchyard gateway', limit: 5 };
    const res = await chat(mock.url, {
      ...user(`mock: tool=search args=${JSON.stringify(args)} tool=fetch args={"url":"https://x.test"} chunks=3`),
      stream: true,
    });
    const chunks = parseSse(await res.text())
      .slice(0, -1)
      .map((e) => JSON.parse(e.data) as OpenAiChunk);
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: 'assistant', content: null });
    const calls: { id?: string; name?: string; args: string; pieces: number }[] = [];
    for (const chunk of chunks) {
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? ([] as OpenAiToolCall[])) {
        const i = tc.index ?? -1;
        if (tc.id !== undefined) {
          expect(tc).toMatchObject({ type: 'function', function: { arguments: '' } });
          calls[i] = { id: tc.id, args: '', pieces: 0, ...(tc.function.name ? { name: tc.function.name } : {}) };
        } else {
          const call = calls[i];
          if (!call) throw new Error(`arguments before the opening delta of tool call ${i}`);
          call.args += tc.function.arguments ?? '';
          call.pieces++;
        }
      }
    }
    expect(calls.map((c) => c.name)).toEqual(['search', 'fetch']);
    expect(JSON.parse(calls[0]?.args ?? '')).toEqual(args);
    expect(JSON.parse(calls[1]?.args ?? '')).toEqual({ url: 'https://x.test' });
    expect(calls[0]?.pieces).toBe(3);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('answers 401 in the OpenAI error envelope without a bearer key', async () => {
    await using mock = await startMockProvider();
    const res = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(user('x')) });
    expect(res.status).toBe(401);
    const body = await json<OpenAiError>(res);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', param: null });
    expect(body.error.message).toMatch(/API key/);
  });

  it('rejects keys outside validKeys, and keyFailures always fail, recording which key was used', async () => {
    await using mock = await startMockProvider({ validKeys: ['good-key'], keyFailures: { 'limited-key': 429, 'down-key': 503 } });
    const statuses: number[] = [];
    for (const key of ['good-key', 'other-key', 'limited-key', 'down-key']) {
      const res = await chat(mock.url, user('x'), { authorization: `Bearer ${key}` });
      statuses.push(res.status);
      if (key === 'limited-key') expect(res.headers.get('retry-after')).toBe('0');
      await res.body?.cancel();
    }
    expect(statuses).toEqual([200, 401, 429, 503]);
    expect(mock.requests.map((r) => [r.apiKey, r.status])).toEqual([
      ['good-key', 200],
      ['other-key', 401],
      ['limited-key', 429],
      ['down-key', 503],
    ]);
  });

  it('answers 400 for a body without a model', async () => {
    await using mock = await startMockProvider();
    const res = await chat(mock.url, { messages: [] });
    expect(res.status).toBe(400);
    expect((await json<OpenAiError>(res)).error.message).toMatch(/model/);
  });

  it('records method, path, headers, parsed body and time; record: false records nothing', async () => {
    await using mock = await startMockProvider();
    const before = Date.now();
    await (await chat(`${mock.url}`, user('rec'), { 'x-trace': 'abc' })).text();
    const [rec] = mock.requests;
    expect(rec).toMatchObject({ method: 'POST', path: '/v1/chat/completions', api: 'openai', apiKey: 'test-key', body: user('rec') });
    expect(rec?.headers['x-trace']).toBe('abc');
    expect(rec?.time).toBeGreaterThanOrEqual(before);
    await using quiet = await startMockProvider({ record: false });
    await (await chat(quiet.url, user('rec'))).text();
    expect(quiet.requests).toEqual([]);
  });
});
