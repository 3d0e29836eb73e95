import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { MockProvider } from '@switchyard/testing';
import type { AllInOne } from '../../src/index.js';
import { admin, EVERYTHING_STDIO, startMcpGateway, until, type McpGateway } from './helpers.js';

const MODEL = 'openai/gpt-4o-mini';
const ECHO_DIRECTIVE = 'mock: tool=everything-echo args={"message":"hi"}';

type Json = Record<string, unknown>;

// The edge injects mcp-connector's tools into chat requests and executes the model's
// tool calls, against the real mcp-connector driving two server-everything processes
// over stdio, with the official openai client and the mock provider upstream.
describe('MCP tools through the edge', () => {
  let mock: MockProvider;
  let backup: MockProvider;
  let gw: AllInOne;
  let setup: McpGateway | undefined;
  let base: string;
  let client: OpenAI;
  /** The chat request whose suggestion was executed. */
  let parentRequestId = '';

  const upstreamTools = (): string[] => {
    const body = mock.requests.at(-1)?.body as Json | undefined;
    return ((body?.tools as Json[] | undefined) ?? []).map((t) => (t.function as Json).name as string);
  };
  const chat = (content: string, headers: Record<string, string> = {}, tools?: OpenAI.ChatCompletionTool[]): Promise<OpenAI.ChatCompletion> =>
    client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content }], ...(tools ? { tools } : {}) }, { headers });
  const execute = async (body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${base}/v1/mcp/tool/execute`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Json };
  };

  beforeAll(async () => {
    setup = await startMcpGateway([
              { name: 'everything', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['echo', 'get-sum'] },
              { name: 'second', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['get-sum'] },
    ]);
    ({ gw, mock, backup } = setup);
    base = gw.url!;
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused-while-no-keys-exist', maxRetries: 0 });
    // Both upstreams connect in the background; catalog.changed refreshes the edge's cache.
    await until(async () => {
      await chat('warm up');
      return upstreamTools().length === 3 ? true : undefined;
    }, 15_000, 100);
  }, 30_000);

  afterAll(async () => {
    await setup?.[Symbol.asyncDispose]();
  });

  it('injects the executable tools after the caller tools, with their schemas, skipping duplicates', async () => {
    const own: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'my_tool', parameters: { type: 'object', properties: {} } } },
      { type: 'function', function: { name: 'second-get-sum', description: 'the caller wins', parameters: { type: 'object', properties: {} } } },
    ];
    await chat('with my tools', {}, own);
    expect(upstreamTools()).toEqual(['my_tool', 'second-get-sum', 'everything-echo', 'everything-get-sum']);
    const tools = (mock.requests.at(-1)?.body as Json).tools as Json[];
    expect((tools[1]!.function as Json).description).toBe('the caller wins');
    const echo = tools[2]!.function as { description?: string; parameters: { properties: Json } };
    expect(tools[2]!.type).toBe('function');
    expect(typeof echo.description).toBe('string');
    expect(Object.keys(echo.parameters.properties)).toContain('message');
  });

  it('narrows the injected set with the include headers', async () => {
    await chat('clients', { 'x-switchyard-mcp-include-clients': 'second' });
    expect(upstreamTools()).toEqual(['second-get-sum']);
    await chat('tools', { 'x-switchyard-mcp-include-tools': 'everything-*' });
    expect(upstreamTools()).toEqual(['everything-echo', 'everything-get-sum']);
    await chat('both', { 'x-switchyard-mcp-include-clients': '*', 'x-switchyard-mcp-include-tools': '*-get-sum, everything-echo' });
    expect(upstreamTools()).toEqual(['everything-echo', 'everything-get-sum', 'second-get-sum']);
    await chat('none', { 'x-switchyard-mcp-include-tools': '' });
    expect(upstreamTools()).toEqual([]);
    expect((mock.requests.at(-1)?.body as Json).tools).toBeUndefined();
  });

  it('returns the model tool call as a suggestion, executes it, and the second turn carries the echo', async () => {
    const first = await chat(`call the echo tool\n${ECHO_DIRECTIVE}`);
    parentRequestId = (first as unknown as { _request_id?: string })._request_id ?? '';
    expect(parentRequestId).not.toBe('');
    const call = first.choices[0]!.message.tool_calls?.[0];
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('no function tool call');
    expect(call.function.name).toBe('everything-echo');
    expect(JSON.parse(call.function.arguments)).toEqual({ message: 'hi' });

    const executed = await execute(call, { 'x-switchyard-parent-request-id': parentRequestId });
    expect(executed.status).toBe(200);
    expect(executed.json).toEqual({ role: 'tool', tool_call_id: call.id, content: 'Echo: hi' });

    const second = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'user', content: 'call the echo tool' },
        first.choices[0]!.message as OpenAI.ChatCompletionMessageParam,
        executed.json as unknown as OpenAI.ChatCompletionToolMessageParam,
      ],
    });
    expect(second.choices[0]!.message.content).toBeTruthy();
    const sent = (mock.requests.at(-1)?.body as Json).messages as Json[];
    expect(sent.at(-1)).toEqual({ role: 'tool', tool_call_id: call.id, content: 'Echo: hi' });
    expect((sent[1]!.tool_calls as Json[])[0]!.id).toBe(call.id);
  });

  it('answers 200 with the text of a tool result that is an error', async () => {
    const failed = await execute({ id: 'c0', type: 'function', function: { name: 'everything-echo', arguments: '{"message":42}' } });
    expect(failed.status).toBe(200);
    expect(failed.json).toMatchObject({ role: 'tool', tool_call_id: 'c0' });
    expect(failed.json.content).toMatch(/message/i);
  });

  it('answers unknown tools 404, bad arguments 400 and non-executable tools 403, in the OpenAI envelope', async () => {
    const unknown = await execute({ id: 'c1', type: 'function', function: { name: 'everything-nope', arguments: '{}' } });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'mcp_tool_not_found' });

    const badArgs = await execute({ id: 'c2', type: 'function', function: { name: 'everything-echo', arguments: 'not json' } });
    expect(badArgs.status).toBe(400);
    expect(badArgs.json.error).toMatchObject({ code: 'invalid_tool_arguments', param: 'function.arguments', type: 'invalid_request_error' });

    const badType = await execute({ id: 'c3', type: 'tool', function: { name: 'everything-echo', arguments: '{}' } });
    expect(badType.status).toBe(400);
    expect(badType.json.error).toMatchObject({ param: 'type' });

    const blocked = await execute({ id: 'c4', type: 'function', function: { name: 'everything-get-env', arguments: '{}' } });
    expect(blocked.status).toBe(403);
    expect(blocked.json.error).toMatchObject({ code: 'mcp_tool_blocked', type: 'permission_error' });
  });

  it('records every executed tool call as a kind=tool audit row', async () => {
    const rows = await until(async () => {
      const { json } = await admin(base, 'GET', '/api/logs?kind=tool&limit=100');
      const data = json.data as Json[];
      return data.length >= 6 ? data : undefined;
    }, 5_000);
    expect(rows.every((r) => r.kind === 'tool' && r.route === '/v1/mcp/tool/execute')).toBe(true);
    const ok = rows.find((r) => r.parent_request_id === parentRequestId);
    expect(ok).toMatchObject({ model: 'everything-echo', provider: 'everything', status: 200, error_kind: '' });
    expect(ok?.latency_ms).toEqual(expect.any(Number));
    expect(rows.find((r) => r.status === 403)).toMatchObject({ model: 'everything-get-env', error_kind: 'permission_denied' });
    expect(rows.find((r) => r.status === 404)).toMatchObject({ error_kind: 'not_found' });
  });
});
