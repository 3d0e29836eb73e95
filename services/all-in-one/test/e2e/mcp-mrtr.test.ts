import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { StartedProcess } from '@switchyard/testing';
import { CONFORMANCE_FIXTURE, startFixture } from './conformance.js';
import { startMcpGateway, until, type McpGateway } from './helpers.js';

type Json = Record<string, unknown>;
const MODERN = '2026-07-28';
const WAIT_MS = 1_500;
/** A 2026-07-28 upstream (SDK v2 server over stdio) whose tool answers input_required itself. */
const MODERN_UPSTREAM = { command: process.execPath, args: [resolve(import.meta.dirname, '../fixtures/modern-mrtr-server.mjs')] };

function modernMeta(capabilities: Json = { sampling: {}, elicitation: {} }): Json {
  return { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': capabilities, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } };
}

/** One modern tools/call over raw HTTP; the answer, whether JSON or SSE (its last message). */
async function rawCall(url: string, id: number, params: Json, capabilities?: Json): Promise<Json> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': String(params.name) },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { ...params, _meta: modernMeta(capabilities) } }),
  });
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = text.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)) as Json);
    return data.at(-1)!;
  }
  return JSON.parse(text) as Json;
}

// MRTR through the gateway: a 2026-07-28 caller, an upstream (the conformance fixture,
// legacy era, over Streamable HTTP and over stdio) that asks for sampling or elicitation
// during a tool call. Edge answers input_required with a signed requestState, parks the
// upstream call, and the caller's retry delivers the answers and gets the final result.
describe('/mcp: MRTR (input_required) bridging for 2026-07-28 callers', () => {
  let fixture: { url: string; proc: StartedProcess };
  let setup: McpGateway | undefined;
  let base: string;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    fixture = await startFixture();
    setup = await startMcpGateway([
      { name: 'conf', connection_type: 'http', connection_string: fixture.url },
      { name: 'confstdio', connection_type: 'stdio', stdio_config: { command: process.execPath, args: [CONFORMANCE_FIXTURE, '--stdio'] } },
      { name: 'modern', connection_type: 'stdio', stdio_config: MODERN_UPSTREAM },
    ], { mcp: { mrtr_wait_ms: WAIT_MS } });
    base = setup.gw.url!;
    await until(async () => {
      const res = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: modernMeta() } }),
      });
      const tools = ((await res.json()) as { result?: { tools: { name: string }[] } }).result?.tools ?? [];
      return ['conf-test_sampling', 'confstdio-test_sampling', 'modern-ask_name'].every((n) => tools.some((t) => t.name === n)) ? true : undefined;
    }, 30_000, 200);
  }, 60_000);

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    await setup?.[Symbol.asyncDispose]();
    await fixture?.proc.stop();
  });

  for (const client of ['conf', 'confstdio']) {
    it(`the SDK v2 client answers sampling and elicitation rounds through /mcp/clients/${client}`, async () => {
      const v2 = new ClientV2({ name: 'mrtr', version: '1' }, { versionNegotiation: { mode: { pin: MODERN } }, capabilities: { sampling: {}, elicitation: {} } });
      const seen: string[] = [];
      v2.setRequestHandler('sampling/createMessage', async (req) => {
        seen.push(`sampling:${JSON.stringify(req.params.messages)}`);
        return { role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'test-model', stopReason: 'endTurn' };
      });
      v2.setRequestHandler('elicitation/create', async (req) => {
        seen.push(`elicitation:${req.params.message}`);
        return { action: 'accept', content: { username: 'alice', email: 'a@example.com' } };
      });
      await v2.connect(new TransportV2(new URL(`${base}/mcp/clients/${client}`)));
      closers.push(() => v2.close());
      expect(v2.getProtocolEra()).toBe('modern');
      const sampled = await v2.callTool({ name: 'test_sampling', arguments: { prompt: 'capital of France?' } });
      expect(sampled.content).toEqual([{ type: 'text', text: 'LLM response: Paris' }]);
      const elicited = await v2.callTool({ name: 'test_elicitation', arguments: { message: 'who are you?' } });
      expect(elicited.content).toEqual([{ type: 'text', text: 'User response: action=accept, content={"username":"alice","email":"a@example.com"}' }]);
      expect(seen).toEqual([expect.stringContaining('capital of France?'), 'elicitation:who are you?']);
    });
  }

  it('a 2026-07-28 upstream that answers input_required itself: its rounds reach modern and legacy callers', async () => {
    // mcp-connector's SDK v2 client fulfils the upstream's round through its elicitation
    // handler, which relays it: a modern caller gets the gateway's own round, a legacy one
    // an elicitation/create on its SSE stream.
    const v2 = new ClientV2({ name: 'mrtr', version: '1' }, { versionNegotiation: { mode: { pin: MODERN } }, capabilities: { elicitation: {} } });
    v2.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Bob' } }));
    await v2.connect(new TransportV2(new URL(`${base}/mcp/clients/modern`)));
    closers.push(() => v2.close());
    const modern = await v2.callTool({ name: 'ask_name', arguments: {} });
    expect(modern.content).toEqual([{ type: 'text', text: 'Hello, Bob (state opaque-upstream-state)' }]);
    const v1 = new Client({ name: 'legacy', version: '1' }, { capabilities: { elicitation: {} } });
    v1.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Carol' } }));
    await v1.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/clients/modern`)));
    closers.push(() => v1.close());
    const legacy = await v1.callTool({ name: 'ask_name', arguments: {} });
    expect(legacy.content).toEqual([{ type: 'text', text: 'Hello, Carol (state opaque-upstream-state)' }]);
  });

  it('input_required carries the relayed request and a signed state; a tampered or missing answer is handled', async () => {
    const url = `${base}/mcp/clients/conf`;
    const first = await rawCall(url, 1, { name: 'test_sampling', arguments: { prompt: 'hi' } });
    const r1 = first.result as { resultType: string; inputRequests: Record<string, { method: string; params: Json }>; requestState: string };
    expect(r1.resultType).toBe('input_required');
    const [key, request] = Object.entries(r1.inputRequests)[0]!;
    expect(request).toMatchObject({ method: 'sampling/createMessage', params: { maxTokens: 100 } });
    expect(r1.requestState).toMatch(/^sy1\./);
    // A tampered state is refused; a retry without the answer gets the same request again.
    const tampered = await rawCall(url, 2, { name: 'test_sampling', arguments: { prompt: 'hi' }, inputResponses: { [key]: {} }, requestState: `${r1.requestState.slice(0, -2)}xx` });
    expect(tampered).toMatchObject({ id: 2, error: { code: -32602 } });
    const again = await rawCall(url, 3, { name: 'test_sampling', arguments: { prompt: 'hi' }, inputResponses: {}, requestState: r1.requestState });
    const r3 = again.result as { resultType: string; inputRequests: Json; requestState: string };
    expect(r3.resultType).toBe('input_required');
    expect(Object.keys(r3.inputRequests)).toEqual([key]);
    // The state names its tool: replaying it on another tool is refused.
    const other = await rawCall(url, 4, { name: 'test_elicitation', arguments: { message: 'x' }, inputResponses: { [key]: {} }, requestState: r3.requestState });
    expect(other).toMatchObject({ error: { code: -32602 } });
    const done = await rawCall(url, 5, {
      name: 'test_sampling', arguments: { prompt: 'hi' },
      inputResponses: { [key]: { role: 'assistant', content: { type: 'text', text: 'hello' }, model: 'm' } }, requestState: r3.requestState,
    });
    expect(done).toMatchObject({ id: 5, result: { resultType: 'complete', content: [{ type: 'text', text: 'LLM response: hello' }] } });
    // The call is over: its state resumes nothing.
    const stale = await rawCall(url, 6, { name: 'test_sampling', arguments: { prompt: 'hi' }, inputResponses: { [key]: {} }, requestState: r3.requestState });
    expect(stale).toMatchObject({ error: { code: -32602 } });
  });

  it('a caller without the capability gets no input_required: the upstream is refused at once', async () => {
    const answer = await rawCall(`${base}/mcp/clients/conf`, 1, { name: 'test_sampling', arguments: { prompt: 'hi' } }, {});
    const result = answer.result as { resultType: string; isError?: boolean };
    expect(result.resultType).toBe('complete');
    expect(result.isError).toBe(true);
  });

  it('a parked call that gets no retry in time is aborted, and its state no longer resumes', async () => {
    const url = `${base}/mcp/clients/confstdio`;
    const first = await rawCall(url, 1, { name: 'test_elicitation', arguments: { message: 'late' } });
    const r1 = first.result as { inputRequests: Json; requestState: string };
    const key = Object.keys(r1.inputRequests)[0]!;
    await new Promise((r) => setTimeout(r, WAIT_MS + 500));
    const late = await rawCall(url, 2, { name: 'test_elicitation', arguments: { message: 'late' }, inputResponses: { [key]: { action: 'decline' } }, requestState: r1.requestState });
    expect(late).toMatchObject({ id: 2, error: { code: -32602 } });
  });
});
