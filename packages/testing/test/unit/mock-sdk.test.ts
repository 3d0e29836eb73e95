import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startMockProvider } from '../../src/mock-provider/index.js';

// The official SDKs pointed at the mock: proof that its wire format is the real one.

describe('openai SDK against the mock', () => {
  it('creates completions, streams with include_usage, and maps errors', async () => {
    await using mock = await startMockProvider();
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello sdk' }] });
    expect(completion.choices[0]?.message.content).toBe('Mock reply to: hello sdk');
    expect(completion.usage?.total_tokens).toBe(3 + 6);

    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello stream' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Mock reply to: hello stream');
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 });

    const err = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'mock: status=429' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(mock.requests.at(-1)?.apiKey).toBe('sk-test');
  });

  it('retries a fail= directive with retry-after: 0 and then succeeds', async () => {
    await using mock = await startMockProvider();
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 2 });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'mock: fail=429 count=2 scenario=retry' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Mock reply to: ');
    expect(mock.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('reassembles streamed parallel tool calls (ChatCompletionStream) and runs an agent loop over a scenario', async () => {
    await using mock = await startMockProvider();
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'add', parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } } } },
    ];
    const streamed = await client.chat.completions
      .stream({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'mock: tool=add args={"a":1,"b":2} tool=add args={"a":40,"b":2} chunks=5' }],
        tools,
      })
      .finalChatCompletion();
    const calls = streamed.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => (c.type === 'function' ? JSON.parse(c.function.arguments) : null))).toEqual([
      { a: 1, b: 2 },
      { a: 40, b: 2 },
    ]);
    expect(streamed.choices[0]?.finish_reason).toBe('tool_calls');

    mock.script('loop', [{ toolCalls: [{ name: 'add', arguments: { a: 20, b: 22 } }] }, { reply: 'The sum is 42.' }]);
    const seen: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'add please\nmock: scenario=loop' }],
      stream: true,
      tools: [
        {
          type: 'function',
          function: {
            name: 'add',
            parameters: { type: 'object', properties: {} },
            parse: (s: string) => JSON.parse(s) as { a: number; b: number },
            function: (args: { a: number; b: number }) => {
              seen.push(args);
              return String(args.a + args.b);
            },
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe('The sum is 42.');
    expect(seen).toEqual([{ a: 20, b: 22 }]);
    const second = mock.requests.at(-1)?.body as { messages: { role: string; content: unknown }[] };
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', content: '42' });
  });
});

describe('@anthropic-ai/sdk against the mock', () => {
  it('creates messages and streams text and tool_use (MessageStream.finalMessage)', async () => {
    await using mock = await startMockProvider();
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.url, maxRetries: 0 });
    const msg = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'bonjour' }] });
    expect(msg.content).toEqual([expect.objectContaining({ type: 'text', text: 'Mock reply to: bonjour' })]);
    expect(msg.usage.input_tokens).toBe(2);

    mock.script('t', [{ reply: 'Checking.', toolCalls: [{ name: 'weather', arguments: { city: 'Lyon', days: [1, 2] } }] }]);
    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'mock: scenario=t chunks=3' }],
      tools: [{ name: 'weather', input_schema: { type: 'object' } }],
    });
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    expect(text).toBe('Checking.');
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[1]).toMatchObject({ type: 'tool_use', name: 'weather', input: { city: 'Lyon', days: [1, 2] } });
    expect(final.usage.output_tokens).toBeGreaterThan(1);
    expect(mock.requests.at(-1)?.headers['anthropic-version']).toBeDefined();

    const err = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'mock: status=529' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(err).toMatchObject({ status: 529, error: { type: 'error', error: { type: 'overloaded_error' } } });
  });
});
