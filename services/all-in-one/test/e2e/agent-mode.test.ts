import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { MockProvider } from '@switchyard/testing';
import type { AllInOne } from '../../src/index.js';
import { admin, EVERYTHING_STDIO, startMcpGateway, until, type McpGateway } from './helpers.js';

const MODEL = 'openai/gpt-4o-mini';
const ECHO = { name: 'everything-echo', arguments: { message: 'hi' } };
/** The mock's completion tokens: ceil(chars / 4) of the tool name plus its JSON arguments, or of the reply. */
const ECHO_TOKENS = Math.ceil(('everything-echo'.length + JSON.stringify(ECHO.arguments).length) / 4);
const DONE_TOKENS = 1;

type Json = Record<string, unknown>;

// Agent mode: the edge runs auto-executable tool calls itself, against the real
// mcp-connector driving server-everything over stdio (`echo` auto-executable,
// `get-sum` executable but not auto), with the mock provider scripted upstream.
describe('agent mode through the edge', () => {
  let mock: MockProvider;
  let backup: MockProvider;
  let gw: AllInOne;
  let setup: McpGateway | undefined;
  let base: string;
  let client: OpenAI;

  const run = async (scenario: string): Promise<{ completion: OpenAI.ChatCompletion; requestId: string; iterations: string | null; upstream: Json[] }> => {
    const before = mock.requests.length;
    const { data, response } = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: `use the tools\nmock: scenario=${scenario}` }] })
      .withResponse();
    return {
      completion: data,
      requestId: response.headers.get('x-request-id') ?? '',
      iterations: response.headers.get('x-switchyard-agent-iterations'),
      upstream: mock.requests.slice(before).map((r) => r.body as Json),
    };
  };
  const toolRows = (parent: string, count: number): Promise<Json[]> =>
    until(async () => {
      const { json } = await admin(base, 'GET', '/api/logs?kind=tool&limit=100');
      const rows = (json.data as Json[]).filter((r) => r.parent_request_id === parent);
      return rows.length >= count ? rows : undefined;
    }, 5_000);

  beforeAll(async () => {
    setup = await startMcpGateway([
              { name: 'everything', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['echo', 'get-sum'], tools_to_auto_execute: ['echo'] },
    ], { mcp: { agent_max_depth: 3 } });
    ({ gw, mock, backup } = setup);
    base = gw.url!;
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused-while-no-keys-exist', maxRetries: 0 });
    await until(async () => {
      await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'warm up' }] });
      const tools = ((mock.requests.at(-1)?.body as Json).tools as Json[] | undefined) ?? [];
      return tools.length === 2 ? true : undefined;
    }, 15_000, 100);
  }, 30_000);

  afterAll(async () => {
    await setup?.[Symbol.asyncDispose]();
  });

  it('executes an auto tool, calls the model again with the result, and sums usage', async () => {
    mock.script('two-step', [{ toolCalls: [ECHO] }, { reply: 'done' }]);
    const { completion, requestId, iterations, upstream } = await run('two-step');
    expect(completion.choices[0]!.message.content).toBe('done');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(iterations).toBe('2');
    expect(upstream).toHaveLength(2);

    const second = upstream[1]!.messages as Json[];
    const assistant = second.at(-2)!;
    const call = (assistant.tool_calls as Json[])[0]!;
    expect(assistant.role).toBe('assistant');
    expect((call.function as Json).name).toBe('everything-echo');
    expect(second.at(-1)).toEqual({ role: 'tool', tool_call_id: call.id, content: 'Echo: hi' });

    expect(completion.usage?.completion_tokens).toBe(ECHO_TOKENS + DONE_TOKENS);
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);

    const [row] = await toolRows(requestId, 1);
    expect(row).toMatchObject({ kind: 'tool', model: 'everything-echo', provider: 'everything', status: 200, error_kind: '', parent_request_id: requestId });
    const chatRow = await until(async () => {
      const { json } = await admin(base, 'GET', '/api/logs?limit=100');
      return (json.data as Json[]).find((r) => r.request_id === requestId && r.kind !== 'tool');
    }, 5_000);
    expect(Number(chatRow.prompt_tokens)).toBe(completion.usage!.prompt_tokens);
    expect(Number(chatRow.completion_tokens)).toBe(ECHO_TOKENS + DONE_TOKENS);
  });

  it('returns a call to a tool that is not auto-approved as a suggestion, executing nothing', async () => {
    mock.script('pending', [{ toolCalls: [{ name: 'everything-get-sum', arguments: { a: 1, b: 2 } }] }, { reply: 'should not be reached' }]);
    const { completion, requestId, iterations, upstream } = await run('pending');
    expect(iterations).toBe('1');
    expect(upstream).toHaveLength(1);
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    const call = completion.choices[0]!.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('no function tool call');
    expect(call.function.name).toBe('everything-get-sum');
    // Give a stray tool audit event time to arrive before asserting there is none.
    await new Promise((r) => setTimeout(r, 300));
    const { json } = await admin(base, 'GET', '/api/logs?kind=tool&limit=100');
    expect((json.data as Json[]).filter((r) => r.parent_request_id === requestId)).toEqual([]);
  });

  it('stops at mcp.agent_max_depth and returns the last answer', async () => {
    mock.script('forever', [{ toolCalls: [ECHO] }]);
    const { completion, requestId, iterations, upstream } = await run('forever');
    expect(iterations).toBe('4');
    expect(upstream).toHaveLength(4);
    expect((upstream[3]!.messages as Json[]).filter((m) => m.role === 'tool')).toHaveLength(3);
    const call = completion.choices[0]!.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('no function tool call');
    expect(call.function.name).toBe('everything-echo');
    expect(completion.usage?.completion_tokens).toBe(4 * ECHO_TOKENS);
    const rows = await toolRows(requestId, 3);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.status === 200 && r.model === 'everything-echo')).toBe(true);
  });

  it('with stream: true, runs the loop inside one SSE stream and sums usage in the usage chunk', async () => {
    mock.script('streamed', [{ toolCalls: [ECHO] }, { reply: 'done' }]);
    const before = mock.requests.length;
    const { data: stream, response } = await client.chat.completions
      .create({ model: MODEL, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'use the tools\nmock: scenario=streamed' }] })
      .withResponse();
    const requestId = response.headers.get('x-request-id') ?? '';
    let content = '';
    let toolDeltas = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      toolDeltas += chunk.choices[0]?.delta.tool_calls?.length ?? 0;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(content).toBe('done');
    expect(toolDeltas).toBe(0);
    expect(usage?.completion_tokens).toBe(ECHO_TOKENS + DONE_TOKENS);
    const upstream = mock.requests.slice(before).map((r) => r.body as Json);
    expect(upstream).toHaveLength(2);
    expect((upstream[1]!.messages as Json[]).at(-1)).toMatchObject({ role: 'tool', content: 'Echo: hi' });
    const [row] = await toolRows(requestId, 1);
    expect(row).toMatchObject({ model: 'everything-echo', status: 200, parent_request_id: requestId });
  });

  it('with stream: true, passes a pending call through as a streamed suggestion', async () => {
    mock.script('streamed-pending', [{ toolCalls: [{ name: 'everything-get-sum', arguments: { a: 1, b: 2 } }] }]);
    const before = mock.requests.length;
    const stream = await client.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'use the tools\nmock: scenario=streamed-pending' }] });
    const names: string[] = [];
    for await (const chunk of stream) for (const d of chunk.choices[0]?.delta.tool_calls ?? []) if (d.function?.name) names.push(d.function.name);
    expect(names).toEqual(['everything-get-sum']);
    expect(mock.requests.length - before).toBe(1);
  });
});
