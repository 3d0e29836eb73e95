import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createClient, mcpconnector } from '@switchyard/proto';
import { freePort, startProcess, type MockProvider, type StartedProcess } from '@switchyard/testing';
import { startMcpGateway, until, type McpGateway } from './helpers.js';

const modules = resolve(import.meta.dirname, '../../../../node_modules');
const EVERYTHING = join(modules, '@modelcontextprotocol/server-everything/dist/index.js');
const FILESYSTEM = join(modules, '@modelcontextprotocol/server-filesystem/dist/index.js');
const MEMORY = join(modules, '@modelcontextprotocol/server-memory/dist/index.js');
const SUPERGATEWAY = join(modules, 'supergateway/dist/index.js');
const node = process.execPath;

type Json = Record<string, unknown>;
interface ToolResult { content?: { type: string; text?: string }[]; isError?: boolean; structuredContent?: unknown }

/** The clients of this suite (no hyphen in a name: hyphenated client names get a hash suffix). */
const CLIENTS = ['ev_stdio', 'ev_sse', 'ev_http', 'fs', 'memory', 'sg_sse', 'sg_http'] as const;

const textOf = (r: ToolResult): string => (r.content ?? []).map((c) => c.text ?? '').join('');

// Every kind of upstream at once behind ONE gateway (all-in-one, gRPC between the
// services), each a real MCP server from npm: server-everything over stdio, over its
// own SSE and Streamable HTTP servers; server-filesystem and server-memory over stdio;
// supergateway turning stdio servers into SSE and Streamable HTTP. The HTTP
// server-everything is killed mid-test: the others keep serving, and it comes back.
describe('every real upstream through one gateway', () => {
  let setup: McpGateway | undefined;
  let mock: MockProvider;
  let base: string;
  let openai: OpenAI;
  let mcp: Client;
  let dir: string;
  const procs: StartedProcess[] = [];
  /** The upstreams this suite kills and restarts (on the same port), by client name. */
  const restartable: Partial<Record<(typeof CLIENTS)[number], { start(): Promise<StartedProcess>; proc?: StartedProcess }>> = {};

  const call = async (name: string, args: Json): Promise<ToolResult> => (await mcp.callTool({ name, arguments: args })) as ToolResult;
  const listed = async (): Promise<string[]> => (await mcp.listTools()).tools.map((t) => t.name);
  /** One tool call per client that must work whenever that client is up. */
  const probes: Record<(typeof CLIENTS)[number], () => Promise<void>> = {
    'ev_stdio': async () => expect(textOf(await call('ev_stdio-echo', { message: 'stdio' }))).toBe('Echo: stdio'),
    'ev_sse': async () => expect(textOf(await call('ev_sse-get-sum', { a: 2, b: 3 }))).toContain('5'),
    'ev_http': async () => expect(textOf(await call('ev_http-echo', { message: 'http' }))).toBe('Echo: http'),
    fs: async () => expect(textOf(await call('fs-read_text_file', { path: join(dir, 'hello.txt') }))).toContain('hello gateway'),
    memory: async () => expect(textOf(await call('memory-read_graph', {}))).toContain('entities'),
    'sg_sse': async () => expect(textOf(await call('sg_sse-get-sum', { a: 40, b: 2 }))).toContain('42'),
    'sg_http': async () => expect(textOf(await call('sg_http-read_graph', {}))).toContain('entities'),
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-mcp-e2e-'));
    writeFileSync(join(dir, 'hello.txt'), 'hello gateway\n');
    const [evHttpPort, evSsePort, sgSsePort, sgHttpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    restartable.ev_http = {
      start: () => startProcess({ command: node, args: [EVERYTHING, 'streamableHttp'], env: { PORT: String(evHttpPort) }, readyLog: /listening on port/ }),
    };
    restartable.sg_sse = {
      start: () => startProcess({
        command: node, readyUrl: `http://127.0.0.1:${sgSsePort}/healthz`,
        args: [SUPERGATEWAY, '--stdio', `${node} ${EVERYTHING} stdio`, '--port', String(sgSsePort), '--outputTransport', 'sse', '--healthEndpoint', '/healthz'],
      }),
    };
    for (const r of Object.values(restartable)) r.proc = await r.start();
    procs.push(
      await startProcess({ command: node, args: [EVERYTHING, 'sse'], env: { PORT: String(evSsePort) }, readyLog: /running on port/ }),
      await startProcess({
        command: node, readyUrl: `http://127.0.0.1:${sgHttpPort}/healthz`, env: { MEMORY_FILE_PATH: join(dir, 'sg-memory.jsonl') },
        args: [SUPERGATEWAY, '--stdio', `${node} ${MEMORY}`, '--port', String(sgHttpPort), '--outputTransport', 'streamableHttp', '--stateful', '--healthEndpoint', '/healthz'],
      }),
    );
    setup = await startMcpGateway(
      [
        { name: 'ev_stdio', connection_type: 'stdio', stdio_config: { command: node, args: [EVERYTHING, 'stdio'] } },
        { name: 'ev_sse', connection_type: 'sse', connection_string: `http://127.0.0.1:${evSsePort}/sse` },
        { name: 'ev_http', connection_type: 'http', connection_string: `http://127.0.0.1:${evHttpPort}/mcp`, timeout_ms: 5_000 },
        { name: 'fs', connection_type: 'stdio', stdio_config: { command: node, args: [FILESYSTEM, dir] } },
        { name: 'memory', connection_type: 'stdio', stdio_config: { command: node, args: [MEMORY], env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') } } },
        { name: 'sg_sse', connection_type: 'sse', connection_string: `http://127.0.0.1:${sgSsePort}/sse` },
        { name: 'sg_http', connection_type: 'http', connection_string: `http://127.0.0.1:${sgHttpPort}/mcp` },
      ],
      { mcp: { catalog_ttl_ms: 200 } },
      // Quick failure detection so that the outage below is seen within a second or two.
      { health_check_interval_ms: 250, health_check_failures: 2, reconnect: { initial_delay_ms: 100, max_delay_ms: 1_000 } },
    );
    mock = setup.mock;
    base = setup.gw.url!;
    openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused-while-no-keys-exist', maxRetries: 0 });
    mcp = new Client({ name: 'e2e-upstreams', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    // Every client connects in the background; wait until /mcp lists a tool of each.
    await until(async () => {
      const names = await listed();
      return CLIENTS.every((c) => names.some((n) => n.startsWith(`${c}-`))) ? true : undefined;
    }, 60_000, 250);
  }, 120_000);

  afterAll(async () => {
    await mcp?.close().catch(() => undefined);
    await setup?.[Symbol.asyncDispose]();
    for (const r of Object.values(restartable)) await r.proc?.stop();
    for (const p of procs) await p.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports every client connected and exposes each one\'s tools as <client>-<tool>', async () => {
    using grpc = createClient(mcpconnector.McpConnectorService, setup!.gw.grpcAddresses['mcp-connector']!);
    // Health checks run every 250 ms with a threshold of 2, so on a loaded machine a slow
    // ping may mark a healthy client `unstable` for a moment: wait for every one connected.
    const states = async () => (await grpc.client.listClients({})).clients.map((c) => [c.name, c.state]).sort();
    const want = [...CLIENTS].sort().map((c) => [c, 'connected']);
    await until(async () => (JSON.stringify(await states()) === JSON.stringify(want) ? true : undefined), 30_000, 250).catch(() => undefined);
    expect(await states()).toEqual(want);
    const names = await listed();
    for (const c of ['ev_stdio', 'ev_sse', 'ev_http', 'sg_sse']) {
      for (const t of ['echo', 'get-sum', 'get-tiny-image']) expect(names).toContain(`${c}-${t}`);
    }
    for (const t of ['read_text_file', 'write_file', 'list_directory']) expect(names).toContain(`fs-${t}`);
    for (const c of ['memory', 'sg_http']) {
      for (const t of ['create_entities', 'read_graph', 'search_nodes']) expect(names).toContain(`${c}-${t}`);
    }
    expect(names.every((n) => /^[A-Za-z0-9_-]{1,64}$/.test(n))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });

  it('calls a tool on every upstream through /mcp', async () => {
    for (const c of CLIENTS) await probes[c]();
  });

  it('reads and writes files in the temp dir, and keeps a knowledge graph, through /mcp', async () => {
    const written = await call('fs-write_file', { path: join(dir, 'notes.txt'), content: 'written through switchyard' });
    expect(written.isError).toBeFalsy();
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('written through switchyard');
    const read = await call('fs-read_text_file', { path: join(dir, 'notes.txt') });
    expect(textOf(read)).toBe('written through switchyard');
    expect(textOf(await call('fs-list_directory', { path: dir }))).toContain('notes.txt');
    // Outside the allowed directory: the upstream's own error, passed through as a tool error.
    const denied = await call('fs-read_text_file', { path: '/etc/hostname' });
    expect(denied.isError).toBe(true);

    for (const c of ['memory', 'sg_http']) {
      const entity = { name: `switchyard-${c}`, entityType: 'project', observations: ['an MCP gateway'] };
      expect((await call(`${c}-create_entities`, { entities: [entity] })).isError).toBeFalsy();
      const graph = textOf(await call(`${c}-read_graph`, {}));
      expect(graph).toContain(`switchyard-${c}`);
      expect(graph).toContain('an MCP gateway');
    }
  });

  it('injects the tools into chat and executes a suggested call with the openai client', async () => {
    mock.script('fs-write', [{ toolCalls: [{ name: 'fs-write_file', arguments: { path: join(dir, 'from-chat.txt'), content: 'chat wrote this' } }] }]);
    const completion = await openai.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'save a note\nmock: scenario=fs-write' }],
    });
    const injected = (((mock.requests.at(-1)?.body as Json).tools as { function: { name: string } }[] | undefined) ?? []).map((t) => t.function.name);
    for (const c of CLIENTS) expect(injected.some((n) => n.startsWith(`${c}-`))).toBe(true);
    const suggested = completion.choices[0]!.message.tool_calls!;
    expect(suggested).toHaveLength(1);
    const toolCall = suggested[0]!;
    expect(toolCall.type === 'function' && toolCall.function.name).toBe('fs-write_file');

    const message = await openai.post<{ role: string; tool_call_id: string; content: string }>('/mcp/tool/execute', { body: toolCall });
    expect(message.role).toBe('tool');
    expect(message.tool_call_id).toBe(toolCall.id);
    expect(readFileSync(join(dir, 'from-chat.txt'), 'utf8')).toBe('chat wrote this');

    const sum = await openai.post<{ content: string }>('/mcp/tool/execute', {
      body: { id: 'call_sum', type: 'function', function: { name: 'sg_sse-get-sum', arguments: '{"a":20,"b":22}' } },
    });
    expect(sum.content).toContain('42');
    const echo = await openai.post<{ content: string }>('/mcp/tool/execute', {
      body: { id: 'call_echo', type: 'function', function: { name: 'ev_http-echo', arguments: '{"message":"via execute"}' } },
    });
    expect(echo.content).toBe('Echo: via execute');
  });

  // server-everything's own Streamable HTTP server (a stateful session that dies with it),
  // and supergateway's SSE bridge (the SSE stream breaks; its stdio child goes with it).
  it.each([
    { client: 'ev_http' as const, tool: 'echo' },
    { client: 'sg_sse' as const, tool: 'echo' },
  ])('keeps serving the others while $client is down, and reconnects it when it is back', async ({ client, tool }) => {
    const upstream = restartable[client]!;
    const name = `${client}-${tool}`;
    await probes[client]();
    await upstream.proc!.stop('SIGKILL');

    // The gateway notices: the dead upstream's tools leave the aggregate...
    await until(async () => ((await listed()).some((n) => n.startsWith(`${client}-`)) ? undefined : true), 20_000, 100);
    // ...a call to it fails cleanly...
    const down = await call(name, { message: 'anyone?' }).catch((err: unknown) => ({ isError: true, content: [{ type: 'text', text: String(err) }] }));
    expect(down.isError).toBe(true);
    // ...and every other upstream answers meanwhile, on both paths.
    for (const c of CLIENTS) if (c !== client) await probes[c]();
    const during = await openai.post<{ content: string }>('/mcp/tool/execute', {
      body: { id: 'call_during', type: 'function', function: { name: 'ev_stdio-echo', arguments: '{"message":"still here"}' } },
    });
    expect(during.content).toBe('Echo: still here');

    // Back on the same port: the connector reconnects on its own (a fresh session).
    upstream.proc = await upstream.start();
    await until(async () => ((await listed()).includes(name) ? true : undefined), 30_000, 200);
    await until(async () => (textOf(await call(name, { message: 'back' })) === 'Echo: back' ? true : undefined), 10_000, 200);
    for (const c of CLIENTS) await probes[c]();
  });
});
