import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import type { llmproxy } from '@switchyard/proto';
import { body, dec, startHarness, type Chunk, type Completion, type Harness } from './setup.js';

interface ModelList {
  object: string;
  data: { id: string; object: string; owned_by: string; created: number }[];
}
/** What the mock recorded as sent to it. */
type Sent = Record<string, unknown> & { messages: unknown[]; stream_options?: unknown; max_tokens?: number };
const sentBody = (h: Harness): Sent => h.mock.requests.at(-1)?.body as Sent;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.[Symbol.asyncDispose]();
});

const user = (text: string) => [{ role: 'user', content: text }];

async function stream(req: Record<string, unknown>): Promise<{ chunks: Chunk[]; outcome: llmproxy.RouteOutcome | undefined }> {
  const chunks: Chunk[] = [];
  let outcome: llmproxy.RouteOutcome | undefined;
  for await (const m of h.client.streamChatCompletion({ body: body(req), context: { requestId: 'req-s' } })) {
    if (m.event.case === 'chunk') chunks.push(dec(m.event.value) as Chunk);
    else if (m.event.case === 'outcome') outcome = m.event.value;
  }
  return { chunks, outcome };
}

const content = (chunks: Chunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('OpenAI-compatible provider', () => {
  it('passes a JSON completion through, rewriting only the model', async () => {
    const res = await h.client.createChatCompletion({ body: body({ model: 'openai/gpt-4o', messages: user('hello there'), temperature: 0.3, fallbacks: ['anthropic/claude-sonnet-4-5'] }) });
    const out = dec(res.body) as Completion;
    expect(out.choices[0]?.message.content).toBe('Mock reply to: hello there');
    expect(res.outcome).toMatchObject({ provider: 'openai', model: 'gpt-4o', keyName: 'k1', attempts: 1, fallbacksUsed: 0 });
    expect(Number(res.outcome?.usage?.totalTokens)).toBe(out.usage.total_tokens);
    const sent = h.mock.requests.at(-1);
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.apiKey).toBe('sk-oa-1');
    expect(sent?.body).toEqual({ model: 'gpt-4o', messages: user('hello there'), temperature: 0.3 });
  });

  it('streams chunks, asks upstream for usage, and drops the usage chunk the client did not ask for', async () => {
    const { chunks, outcome } = await stream({ model: 'openai/gpt-4o-mini', stream: true, messages: user('mock: reply="one two three four" chunks=4') });
    expect(content(chunks)).toBe('one two three four');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(outcome).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', attempts: 1 });
    expect(Number(outcome?.usage?.completionTokens)).toBeGreaterThan(0);
    expect(sentBody(h).stream_options).toEqual({ include_usage: true });
  });

  it('passes the usage chunk through when the client asks for it', async () => {
    const { chunks, outcome } = await stream({ model: 'openai/gpt-4o', stream: true, stream_options: { include_usage: true }, messages: user('count me') });
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.total_tokens).toBe(Number(outcome?.usage?.totalTokens));
  });

  it('returns tool calls', async () => {
    const res = await h.client.createChatCompletion({ body: body({ model: 'openai/gpt-4o', messages: user('mock: tool=get_weather args={"city":"Paris"}'), tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] }) });
    const message = (dec(res.body) as Completion).choices[0]?.message;
    expect(message?.tool_calls?.[0]?.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
  });
});

describe('Anthropic provider', () => {
  it('translates a JSON request and response, tool calls both ways', async () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '18C' },
      { role: 'user', content: 'And Lyon?\nmock: tool=get_weather args={"city":"Lyon"}' },
    ];
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const res = await h.client.createChatCompletion({ body: body({ model: 'anthropic/claude-sonnet-4-5', messages, tools, max_tokens: 300 }) });
    const out = dec(res.body) as Completion;
    expect(out.object).toBe('chat.completion');
    expect(out.choices[0]?.finish_reason).toBe('tool_calls');
    expect(out.choices[0]?.message.tool_calls).toEqual([{ id: expect.stringMatching(/^toolu_/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } }]);
    expect(out.usage.total_tokens).toBe(out.usage.prompt_tokens + out.usage.completion_tokens);
    expect(res.outcome).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-5', keyName: 'main' });

    const sent = h.mock.requests.at(-1);
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe('sk-ant-1');
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    const sent_ = sentBody(h);
    expect(sent_).toMatchObject({ model: 'claude-sonnet-4-5', system: 'Be brief.', max_tokens: 300, tools: [{ name: 'get_weather', input_schema: { type: 'object' } }] });
    expect(sent_.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] });
    expect(sent_.messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: '18C' }] },
        { type: 'text', text: 'And Lyon?\nmock: tool=get_weather args={"city":"Lyon"}' },
      ],
    });
  });

  it('streams text as OpenAI chunks with the usage chunk when asked', async () => {
    const { chunks, outcome } = await stream({ model: 'anthropic/claude-sonnet-4-5', stream: true, stream_options: { include_usage: true }, messages: user('mock: reply="Bonjour tout le monde" chunks=3') });
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(content(chunks)).toBe('Bonjour tout le monde');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: Number(outcome?.usage?.completionTokens), total_tokens: Number(outcome?.usage?.totalTokens) });
    expect(sentBody(h).max_tokens).toBe(4096);
  });

  it('streams tool calls as tool_calls deltas', async () => {
    const { chunks, outcome } = await stream({ model: 'anthropic/claude-sonnet-4-5', stream: true, messages: user('mock: tool=get_weather args={"city":"Paris","unit":"c"} chunks=3') });
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^toolu_/), type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(calls.map((c) => c.function.arguments).join('')).toBe('{"city":"Paris","unit":"c"}');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(Number(outcome?.usage?.totalTokens)).toBeGreaterThan(0);
  });

  it('rejects an unsupported parameter without calling the provider', async () => {
    const before = h.mock.requests.length;
    const err = await h.client.createChatCompletion({ body: body({ model: 'anthropic/claude-sonnet-4-5', messages: user('hi'), n: 3 }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwitchyardError);
    expect(err).toMatchObject({ kind: 'invalid_argument', param: 'n' });
    expect(h.mock.requests.length).toBe(before);
  });
});

describe('routing and models', () => {
  it('rejects an unknown provider on the model param', async () => {
    const err = await h.client.createChatCompletion({ body: body({ model: 'mistral/large', messages: user('hi') }) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid_argument', param: 'model' });
  });

  it('lists configured models as provider/model', async () => {
    const res = await h.client.listModels({});
    const list = dec(res.body) as ModelList;
    expect(list.object).toBe('list');
    expect(list.data.map((m) => m.id)).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5']);
    expect(list.data[2]).toEqual({ id: 'anthropic/claude-sonnet-4-5', object: 'model', owned_by: 'anthropic', created: expect.any(Number) });
  });

  it('serves health, readiness and metrics on the ops port', async () => {
    expect((await fetch(`${h.opsUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.opsUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${h.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_llm_requests_total\{[^}]*provider="openai",model="openai\/gpt-4o",status="ok"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/switchyard_llm_tokens_total\{[^}]*provider="anthropic"[^}]*type="completion"[^}]*\} [1-9]/);
    expect(metrics).toContain('switchyard_llm_upstream_seconds_bucket');
  });
});
