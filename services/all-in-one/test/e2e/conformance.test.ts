import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { StartedProcess } from '@switchyard/testing';
import { CONFORMANCE_FIXTURE, passes, runServerScenarios, startFixture, type ScenarioResult } from './conformance.js';
import { startMcpGateway, until, type McpGateway } from './helpers.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function toolCount(url: string): Promise<number | undefined> {
  const init = await fetch(url, { method: 'POST', headers: HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'wait', version: '1' } } }) });
  const sid = init.headers.get('mcp-session-id');
  await init.body?.cancel();
  if (!init.ok || !sid) return undefined;
  const res = await fetch(url, { method: 'POST', headers: { ...HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
  const body = (await res.json()) as { result?: { tools?: unknown[] } };
  const n = body.result?.tools?.length ?? 0;
  return n >= 13 ? n : undefined;
}

function summary(results: Map<string, ScenarioResult>): string {
  return [...results].map(([name, r]) => `${passes(r) ? 'ok  ' : 'FAIL'} ${name} ${r.passed}/${r.passed + r.failed}${r.failures.length ? ` ${r.failures.join('; ')}` : ''}`).join('\n');
}

// The official MCP conformance suite's server scenarios, (a) against the fixture server
// directly and (b) through the gateway at /mcp/clients/<name>, the fixture being an
// upstream of mcp-connector (over Streamable HTTP, and over stdio). Every scenario that
// passes directly must pass through the gateway; a regression fails this test.
describe('MCP conformance suite (server scenarios)', () => {
  let fixture: { url: string; proc: StartedProcess };
  let setup: McpGateway | undefined;
  let direct: Map<string, ScenarioResult>;

  beforeAll(async () => {
    fixture = await startFixture();
    setup = await startMcpGateway([
      { name: 'conf', connection_type: 'http', connection_string: fixture.url },
      { name: 'confstdio', connection_type: 'stdio', stdio_config: { command: process.execPath, args: [CONFORMANCE_FIXTURE, '--stdio'] } },
    ]);
    const base = setup.gw.url!;
    // Both upstreams connect in the background: wait until each lists the fixture's tools.
    for (const client of ['conf', 'confstdio']) await until(() => toolCount(`${base}/mcp/clients/${client}`), 30_000, 200);
    direct = await runServerScenarios(fixture.url);
  }, 300_000);

  afterAll(async () => {
    await setup?.[Symbol.asyncDispose]();
    await fixture?.proc.stop();
  });

  it('the fixture passes every active server scenario directly', () => {
    expect(direct.size, summary(direct)).toBeGreaterThanOrEqual(30);
    expect([...direct].filter(([, r]) => !passes(r)).map(([n]) => n), summary(direct)).toEqual([]);
  });

  for (const client of ['conf', 'confstdio']) {
    it(`every scenario that passes directly passes through /mcp/clients/${client}`, async () => {
      const via = await runServerScenarios(`${setup!.gw.url!.replace('127.0.0.1', 'localhost')}/mcp/clients/${client}`);
      const regressed = [...direct].filter(([name, r]) => passes(r) && !passes(via.get(name))).map(([name]) => name);
      expect(regressed, summary(via)).toEqual([]);
    }, 300_000);
  }

  it('the aggregate /mcp prefixes prompts like tools, keeps resource URIs, and relays progress', async () => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${setup!.gw.url!}/mcp`)));
    try {
      const { prompts } = await client.listPrompts();
      expect(prompts.map((p) => p.name)).toEqual(expect.arrayContaining(['conf-test_simple_prompt', 'confstdio-test_prompt_with_arguments']));
      const got = await client.getPrompt({ name: 'confstdio-test_prompt_with_arguments', arguments: { arg1: 'a1', arg2: 'b2' } });
      expect(JSON.stringify(got.messages)).toContain("arg1='a1'");
      await expect(client.getPrompt({ name: 'test_simple_prompt' })).rejects.toMatchObject({ code: -32602 });
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri)).toContain('test://static-text');
      const read = await client.readResource({ uri: 'test://template/42/data' });
      expect(read.contents[0]?.uri).toBe('test://template/42/data');
      await expect(client.readResource({ uri: 'nope://x' })).rejects.toMatchObject({ code: -32002 });
      const { tools } = await client.listTools();
      const schemaTool = tools.find((t) => t.name === 'conf-json_schema_2020_12_tool');
      expect(schemaTool).toMatchObject({ title: 'JSON Schema 2020-12', annotations: { readOnlyHint: true }, _meta: { 'example.com/fixture': true } });
      expect(schemaTool?.inputSchema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', additionalProperties: false });
      const progress: number[] = [];
      const result = await client.request(
        { method: 'tools/call', params: { name: 'confstdio-test_tool_with_progress', arguments: {}, _meta: { progressToken: 'tok-1' } } },
        CallToolResultSchema, { onprogress: (p) => progress.push(p.progress) },
      );
      expect(progress).toEqual([0, 50, 100]);
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});
