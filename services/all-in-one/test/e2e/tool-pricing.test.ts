import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { MockProvider } from '@switchyard/testing';
import { admin, EVERYTHING_STDIO, startMcpGateway, until, type McpGateway } from './helpers.js';

const MODEL = 'openai/gpt-4o-mini';
type Json = Record<string, unknown>;

// Per-tool prices (tool_pricing on the MCP client) charged to the same budgets as tokens,
// on every tool path: /v1/mcp/tool/execute, /mcp tools/call (MCP SDK client) and agent
// mode; embedded mode (in-memory counters, PGlite ledger), with server-everything over stdio.
describe('tool prices and budgets on every tool path', () => {
  let setup: McpGateway | undefined;
  let mock: MockProvider;
  let base: string;

  beforeAll(async () => {
    setup = await startMcpGateway([
      {
        name: 'everything', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['echo', 'get-sum'], tools_to_auto_execute: ['echo'],
        tool_pricing: { default: 0.001, tools: { echo: 0.002 } },
      },
    ], { pricing: { models: { [MODEL]: { input: 0, output: 0 } } } });
    mock = setup.mock;
    base = setup.gw.url!;
    await until(async () => {
      const { json } = await admin(base, 'GET', '/api/logs?limit=1');
      return json.data ? true : undefined;
    }, 5_000);
  }, 60_000);

  afterAll(async () => {
    await setup?.[Symbol.asyncDispose]();
  });

  const newKey = async (name: string, budgetUsd: number): Promise<{ id: string; secret: string }> => {
    const created = await admin(base, 'POST', '/api/keys', { name });
    const id = created.json.id as string;
    expect((await admin(base, 'POST', '/api/budgets', { entity_kind: 'key', entity_id: id, max_limit: budgetUsd, reset_duration: '1d' })).status).toBe(201);
    return { id, secret: created.json.key as string };
  };
  const execute = async (secret: string, name: string, args: Json): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${base}/v1/mcp/tool/execute`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ id: 'call_1', type: 'function', function: { name, arguments: JSON.stringify(args) } }),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };
  const usage = (id: string, want: (rows: Json[]) => boolean): Promise<Json> =>
    until(async () => {
      const { json } = await admin(base, 'GET', `/api/usage?entity_kind=key&entity_id=${id}`);
      return want(json.data as Json[]) ? json : undefined;
    }, 10_000, 100);

  it('charges each execution its price and refuses with budget_exceeded; /mcp answers an isError result', async () => {
    const key = await newKey('tools', 0.005);
    // Wait for the edge's own catalog (it holds the prices), not only mcp-connector's: a
    // call that mcp-connector already serves while the edge's catalog still lacks the
    // tool is priced 0, and the budget would then fit one call more (seen under load).
    const lister = new Client({ name: 'e2e-wait', version: '1.0.0' });
    await lister.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key.secret}` } } }));
    try {
      await until(async () => ((await lister.listTools()).tools.some((t) => t.name === 'everything-get-sum') ? true : undefined), 15_000, 200);
    } finally {
      await lister.close();
    }
    expect((await execute(key.secret, 'everything-get-sum', { a: 1, b: 2 })).status).toBe(200); // 0.001
    expect((await execute(key.secret, 'everything-echo', { message: 'a' })).status).toBe(200); // 0.001 + 0.002
    expect((await execute(key.secret, 'everything-echo', { message: 'b' })).status).toBe(200); // 0.003 + 0.002 fits exactly
    const over = await execute(key.secret, 'everything-get-sum', { a: 1, b: 1 });
    expect(over.status).toBe(429);
    expect(over.json.error).toMatchObject({ type: 'rate_limit_error', code: 'budget_exceeded' });

    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key.secret}` } } }));
    try {
      const result = await client.callTool({ name: 'everything-echo', arguments: { message: 'c' } });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toContain('budget exceeded');
    } finally {
      await client.close();
    }

    // Usage events arrive asynchronously: wait for all three calls, not just for two rows.
    const report = await usage(key.id, (rows) => rows.reduce((n, r) => n + Number(r.requests), 0) === 3);
    expect(report.data).toEqual([
      { entity_kind: 'key', entity_id: key.id, kind: 'tool', name: 'everything-echo', requests: 2, prompt_tokens: 0, completion_tokens: 0, cost: 0.004 },
      { entity_kind: 'key', entity_id: key.id, kind: 'tool', name: 'everything-get-sum', requests: 1, prompt_tokens: 0, completion_tokens: 0, cost: 0.001 },
    ]);
    expect((report.budgets as Json[])[0]).toMatchObject({ max_limit: 0.005, current_usage: 0.005, remaining: 0 });
  });

  it('agent mode reserves and settles each model call and each tool call against the same budget', async () => {
    const key = await newKey('agent', 1);
    mock.script('priced', [{ toolCalls: [{ name: 'everything-echo', arguments: { message: 'hi' } }] }, { reply: 'done' }]);
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: key.secret, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'use the tools\nmock: scenario=priced' }] });
    expect(completion.choices[0]!.message.content).toBe('done');
    const report = await usage(key.id, (rows) => rows.length === 2 && rows.some((r) => r.kind === 'model' && r.requests === 2));
    expect(report.data).toEqual([
      expect.objectContaining({ kind: 'model', name: MODEL, requests: 2, cost: 0 }),
      expect.objectContaining({ kind: 'tool', name: 'everything-echo', requests: 1, cost: 0.002 }),
    ]);
    expect((report.budgets as Json[])[0]).toMatchObject({ current_usage: 0.002 });
  });
});
