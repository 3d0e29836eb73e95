import { describe, expect, it } from 'vitest';
import { startMockProvider } from '../../src/mock-provider/index.js';
import { json, messages, parseSse, type AnthropicError } from './helpers.js';

interface AnthropicBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}
interface AnthropicMessage {
  id: string;
  type: string;
  role: string;
  model: string;
  content: AnthropicBlock[];
  stop_reason: string;
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}
interface StreamEvent {
  type: string;
  index?: number;
  message?: AnthropicMessage;
  content_block?: AnthropicBlock;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string };
  usage?: { output_tokens: number };
}

const body = (text: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  ...extra,
});

describe('mock provider: Anthropic messages', () => {
  it('answers a message with a text block, end_turn and usage', async () => {
    await using mock = await startMockProvider();
    const res = await messages(mock.url, body('Tell me about gateways'));
    expect(res.status).toBe(200);
    const msg = await json<AnthropicMessage>(res);
    expect(msg).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Mock reply to: Tell me about gateways' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: Math.ceil(22 / 4), output_tokens: Math.ceil(37 / 4) },
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(mock.requests[0]).toMatchObject({ api: 'anthropic', apiKey: 'test-key' });
  });

  it('answers tool_use blocks with stop_reason tool_use', async () => {
    await using mock = await startMockProvider();
    const res = await messages(mock.url, body('go', { system: 'mock: tool=lookup args={"id": 7}' }));
    const msg = await json<AnthropicMessage>(res);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'lookup', input: { id: 7 } }]);
  });

  it('streams events in Anthropic order with event: lines matching the data type', async () => {
    await using mock = await startMockProvider();
    const res = await messages(mock.url, body('stream it', { stream: true }));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    const parsed = events.map((e) => JSON.parse(e.data) as StreamEvent);
    events.forEach((e, i) => expect(e.event).toBe(parsed[i]?.type));
    const order = parsed.map((e) => e.type);
    expect(order.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(order.slice(-4)).toEqual(['content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(order.filter((t) => t === 'content_block_delta').length).toBeGreaterThan(1);
    expect(parsed[0]?.message).toMatchObject({ content: [], stop_reason: null, model: 'claude-sonnet-4-5' });
    const text = parsed.filter((e) => e.delta?.type === 'text_delta').map((e) => e.delta?.text).join('');
    expect(text).toBe('Mock reply to: stream it');
    expect(parsed.at(-2)).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: Math.ceil(text.length / 4) } });
  });

  it('streams text then tool_use blocks with input_json_delta pieces that reassemble', async () => {
    await using mock = await startMockProvider();
    mock.script('a1', [{ reply: 'Let me look.', toolCalls: [{ name: 'search', arguments: { q: 'mcp', n: 3 } }] }]);
    const res = await messages(mock.url, body('mock: scenario=a1 chunks=4', { stream: true }));
    const parsed = parseSse(await res.text()).map((e) => JSON.parse(e.data) as StreamEvent);
    const starts = parsed.filter((e) => e.type === 'content_block_start');
    expect(starts.map((e) => [e.index, e.content_block?.type])).toEqual([
      [0, 'text'],
      [1, 'tool_use'],
    ]);
    expect(starts[1]?.content_block).toMatchObject({ name: 'search', input: {} });
    const json1 = parsed.filter((e) => e.index === 1 && e.delta?.type === 'input_json_delta').map((e) => e.delta?.partial_json);
    expect(json1.length).toBe(5);
    expect(JSON.parse(json1.join(''))).toEqual({ q: 'mcp', n: 3 });
    expect(parsed.filter((e) => e.type === 'content_block_stop').map((e) => e.index)).toEqual([0, 1]);
    expect(parsed.at(-2)?.delta?.stop_reason).toBe('tool_use');
  });

  it('answers 401 without x-api-key and 400 without anthropic-version, in the Anthropic error shape', async () => {
    await using mock = await startMockProvider();
    const noKey = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(body('x')),
    });
    expect(noKey.status).toBe(401);
    expect(await json<AnthropicError>(noKey)).toEqual({ type: 'error', error: { type: 'authentication_error', message: expect.any(String) } });
    const noVersion = await fetch(`${mock.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: JSON.stringify(body('x')) });
    expect(noVersion.status).toBe(400);
    expect((await json<AnthropicError>(noVersion)).error.type).toBe('invalid_request_error');
  });

  it('uses the Anthropic envelope for directive errors (429 rate_limit_error, 529 overloaded_error)', async () => {
    await using mock = await startMockProvider();
    const limited = await messages(mock.url, body('mock: status=429'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('0');
    expect((await json<AnthropicError>(limited)).error.type).toBe('rate_limit_error');
    const overloaded = await messages(mock.url, body('x'), { 'x-mock-status': '529' });
    expect((await json<AnthropicError>(overloaded)).error.type).toBe('overloaded_error');
  });

  it('counts tokens and lists models in the Anthropic shape', async () => {
    await using mock = await startMockProvider();
    const count = await json<{ input_tokens: number }>(
      await fetch(`${mock.url}/v1/messages/count_tokens`, {
        method: 'POST',
        headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(body('twelve chars')),
      }),
    );
    expect(count.input_tokens).toBe(3);
    const models = await json<{ data: { type: string; id: string }[]; has_more: boolean }>(
      await fetch(`${mock.url}/v1/models`, { headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' } }),
    );
    expect(models.has_more).toBe(false);
    expect(models.data.every((m) => m.type === 'model')).toBe(true);
  });
});
