import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { MockProvider } from '@switchyard/testing';
import { admin, EVERYTHING_STDIO, startMcpGateway, until, type McpGateway } from './helpers.js';

const MODEL = 'openai/gpt-4o-mini';
const FILESYSTEM = resolve(import.meta.dirname, '../../../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

type Json = Record<string, unknown>;

// Tool-level access end to end: the real governance (embedded Postgres) resolves a
// key's tool scope and groups, the edge enforces it on chat injection, explicit
// execution, /mcp and /mcp/groups/<slug>, in front of the real mcp-connector driving
// server-filesystem (on a temp dir) and server-everything over stdio.
describe('tool scopes and tool groups', () => {
  let setup: McpGateway | undefined;
  let mock: MockProvider;
  let base: string;
  let dir: string;
  let reader: string;
  let readerId: string;
  let full: string;
  const clients: Client[] = [];

  const upstreamTools = (): string[] => {
    const body = mock.requests.at(-1)?.body as Json | undefined;
    return ((body?.tools as Json[] | undefined) ?? []).map((t) => (t.function as Json).name as string).sort();
  };
  const openai = (key: string): OpenAI => new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
  const chat = (key: string, headers: Record<string, string> = {}): Promise<OpenAI.ChatCompletion> =>
    openai(key).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'which tools?' }] }, { headers });
  const execute = async (key: string, name: string, args: Json): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${base}/v1/mcp/tool/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ id: 'call_1', type: 'function', function: { name, arguments: JSON.stringify(args) } }),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };
  const mcpClient = async (path: string, key: string): Promise<Client> => {
    const client = new Client({ name: 'e2e-scope', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}${path}`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    clients.push(client);
    return client;
  };
  const listed = async (path: string, key: string): Promise<string[]> => (await (await mcpClient(path, key)).listTools()).tools.map((t) => t.name).sort();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-fs-'));
    await writeFile(join(dir, 'hello.txt'), 'hello from the temp dir');
    setup = await startMcpGateway([
      { name: 'filesystem', connection_type: 'stdio', stdio_config: { command: process.execPath, args: [FILESYSTEM, dir] }, tools_to_execute: ['*'] },
      { name: 'everything', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['echo', 'get-sum'] },
    ]);
    ({ mock } = setup);
    base = setup.gw.url!;
    // No key exists yet: the gateway is open; wait until both servers' tools are injected.
    await until(async () => {
      await chat('no-key-yet');
      const names = upstreamTools();
      return names.includes('filesystem-write_file') && names.includes('everything-echo') ? true : undefined;
    }, 30_000, 100);
    const r = await admin(base, 'POST', '/api/keys', { name: 'reader', mcp_tools: { filesystem: ['read_text_file', 'list_directory'] } });
    expect(r.status).toBe(201);
    reader = r.json.key as string;
    readerId = r.json.id as string;
    expect(r.json.mcp_tools).toEqual({ filesystem: ['read_text_file', 'list_directory'] });
    full = (await admin(base, 'POST', '/api/keys', { name: 'full' })).json.key as string;
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await setup?.[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it('injects only the read tools of server-filesystem for a read-only key (the openai client)', async () => {
    await chat(reader);
    expect(upstreamTools()).toEqual(['filesystem-list_directory', 'filesystem-read_text_file']);
    // A key without an allow-list and without groups keeps every tool the client configs allow.
    await chat(full);
    expect(upstreamTools()).toEqual(expect.arrayContaining(['filesystem-write_file', 'filesystem-read_text_file', 'everything-echo', 'everything-get-sum']));
  });

  it('intersects the key scope with the include headers (headers only narrow)', async () => {
    await chat(reader, { 'x-switchyard-mcp-include-tools': 'filesystem-read_text_file, filesystem-write_file, everything-echo' });
    expect(upstreamTools()).toEqual(['filesystem-read_text_file']);
    await chat(reader, { 'x-switchyard-mcp-include-clients': 'everything' });
    expect(upstreamTools()).toEqual([]);
  });

  it('executes read_text_file and refuses write_file with 403 mcp_tool_blocked', async () => {
    const read = await execute(reader, 'filesystem-read_text_file', { path: join(dir, 'hello.txt') });
    expect(read.status).toBe(200);
    expect(read.json.content).toContain('hello from the temp dir');

    const target = join(dir, 'written.txt');
    const write = await execute(reader, 'filesystem-write_file', { path: target, content: 'nope' });
    expect(write.status).toBe(403);
    expect(write.json.error).toMatchObject({ code: 'mcp_tool_blocked', type: 'permission_error' });
    await expect(readFile(target, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    // A tool of a client the key was never granted.
    expect((await execute(reader, 'everything-echo', { message: 'hi' })).json.error).toMatchObject({ code: 'mcp_tool_blocked' });
  });

  it('lists only the granted tools on /mcp and /mcp/clients/<name>, and answers an out-of-scope call with isError', async () => {
    expect(await listed('/mcp', reader)).toEqual(['filesystem-list_directory', 'filesystem-read_text_file']);
    expect(await listed('/mcp/clients/filesystem', reader)).toEqual(['list_directory', 'read_text_file']);
    expect(await listed('/mcp/clients/everything', reader)).toEqual([]);

    const client = await mcpClient('/mcp', reader);
    const target = join(dir, 'via-mcp.txt');
    const blocked = await client.callTool({ name: 'filesystem-write_file', arguments: { path: target, content: 'nope' } });
    expect(blocked.isError).toBe(true);
    expect(JSON.stringify(blocked.content)).toContain('not available to this caller');
    await expect(readFile(target, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    const ok = await client.callTool({ name: 'filesystem-list_directory', arguments: { path: dir } });
    expect(ok.isError).toBeFalsy();
    expect(JSON.stringify(ok.content)).toContain('hello.txt');
  });

  it('serves a tool group as its own MCP server, only to keys that reach it, and widens their scope by union', async () => {
    const created = await admin(base, 'POST', '/api/tool-groups', {
      name: 'Echo & File Info',
      tools: [{ client: 'everything', tools: ['echo'] }, { client: 'filesystem', tools: ['get_file_info', 'read_text_file'] }],
    });
    expect(created.status).toBe(201);
    expect(created.json.slug).toBe('echo-file-info');

    // Not attached yet: the reader may not use it.
    const denied = await fetch(`${base}/mcp/groups/echo-file-info`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${reader}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    expect(denied.status).toBe(403);

    const attached = await admin(base, 'POST', '/api/tool-groups/echo-file-info/attachments', { entity_kind: 'key', entity_id: readerId });
    expect(attached.status).toBe(200);
    expect(attached.json.attachments).toEqual([{ entity_kind: 'key', entity_id: readerId }]);
    // PolicyChanged flushes the edge's cache: the next request sees the group.
    const names = await until(async () => {
      const got = await listed('/mcp/groups/echo-file-info', reader).catch(() => undefined);
      return got && got.length > 0 ? got : undefined;
    }, 5_000, 50);
    expect(names).toEqual(['everything-echo', 'filesystem-get_file_info', 'filesystem-read_text_file']);

    // The key's scope is now its own list ∪ the group, without duplicates.
    await chat(reader);
    expect(upstreamTools()).toEqual(['everything-echo', 'filesystem-get_file_info', 'filesystem-list_directory', 'filesystem-read_text_file']);
    const group = await mcpClient('/mcp/groups/echo-file-info', reader);
    const echoed = await group.callTool({ name: 'everything-echo', arguments: { message: 'through the group' } });
    expect(JSON.stringify(echoed.content)).toContain('through the group');

    expect((await fetch(`${base}/mcp/groups/no-such-group`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${reader}` }, body: '{}' })).status).toBe(404);
    // Disabled: gone from the endpoint and from the key's scope.
    expect((await admin(base, 'PATCH', '/api/tool-groups/echo-file-info', { enabled: false })).status).toBe(200);
    await until(async () => ((await listed('/mcp/groups/echo-file-info', reader).catch(() => 'gone')) === 'gone' ? true : undefined), 5_000, 50);
    await chat(reader);
    expect(upstreamTools()).toEqual(['filesystem-list_directory', 'filesystem-read_text_file']);
  });

  it('enforces the provider allow-list on chat with 403 provider_not_allowed', async () => {
    const key = (await admin(base, 'POST', '/api/keys', { name: 'anthropic-only', allowed_providers: ['anthropic'] })).json.key as string;
    const err = await chat(key).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('provider_not_allowed');
  });
});
