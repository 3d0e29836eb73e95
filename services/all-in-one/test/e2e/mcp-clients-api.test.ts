import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { admin, EVERYTHING_STDIO, startMcpGateway, until, type McpGateway } from './helpers.js';

type Json = Record<string, unknown>;

const MEMORY = resolve(import.meta.dirname, '../../../../node_modules/@modelcontextprotocol/server-memory/dist/index.js');

async function processesWith(marker: string): Promise<string[]> {
  const out = await new Promise<string>((ok, fail) => execFile('ps', ['-e', '-o', 'pid=,stat=,args='], (err, stdout) => (err ? fail(err) : ok(stdout))));
  return out.split('\n').map((l) => l.trim()).filter((l) => l.includes(marker) && !l.split(/\s+/)[1]?.startsWith('Z'));
}

// The whole embedded gateway (PGlite, in-process bus): an MCP client for the real
// server-memory over stdio, managed through /api/mcp/clients, seen through /mcp.
describe('/api/mcp/clients end to end', () => {
  let setup: McpGateway;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'mcp-api-e2e-'));
  const marker = `--e2e-marker-${process.pid}-${Date.now()}`;

  const toolNames = async (): Promise<string[]> => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    try {
      return (await client.listTools()).tools.map((t) => t.name).sort();
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    setup = await startMcpGateway([{ name: 'pinned', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['echo'] }], { mcp: { catalog_ttl_ms: 60_000 } });
    base = setup.gw.url!;
  }, 60_000);
  afterAll(async () => {
    await setup?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a stdio client, shows its state and tools redacted, and serves them on /mcp', async () => {
    const created = await admin(base, 'POST', '/api/mcp/clients', {
      name: 'memory', connection_type: 'stdio',
      stdio_config: { command: process.execPath, args: [MEMORY, marker], env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') } },
      tools_to_execute: ['*'],
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'memory', source: 'api', read_only: false });
    expect((created.json.config as { stdio_config: Json }).stdio_config.env).toEqual({ MEMORY_FILE_PATH: '<redacted>' });
    expect(JSON.stringify(created.json)).not.toContain(dir);

    const view = await until(async () => {
      const { json } = await admin(base, 'GET', '/api/mcp/clients/memory');
      return json.state === 'connected' ? json : undefined;
    }, 20_000, 100);
    expect(view.tool_count).toBe(9);
    const list = await admin(base, 'GET', '/api/mcp/clients');
    expect((list.json.data as Json[]).map((c) => [c.name, c.source, c.read_only])).toEqual([['memory', 'api', false], ['pinned', 'config', true]]);

    const names = await until(async () => {
      const n = await toolNames();
      return n.includes('memory-create_entities') ? n : undefined;
    }, 10_000, 100);
    expect(names.filter((n) => n.startsWith('memory-'))).toHaveLength(9);
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    const result = await client.callTool({ name: 'memory-create_entities', arguments: { entities: [{ name: 'gw', entityType: 'project', observations: ['MCP gateway'] }] } });
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result.content)).toContain('gw');
    await client.close();
  });

  it('validates in the /api error envelope and keeps switchyard.yaml clients read-only', async () => {
    const missing = await admin(base, 'POST', '/api/mcp/clients', { name: 'bad', connection_type: 'stdio' });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ type: 'invalid_request_error', param: 'stdio_config' });
    const typo = await admin(base, 'POST', '/api/mcp/clients', { name: 'bad', connection_type: 'http', connection_string: 'http://127.0.0.1:1/mcp', tools_to_exec: [] });
    expect(typo.json.error).toMatchObject({ param: 'tools_to_exec', message: "unknown field: 'tools_to_exec'" });
    expect((await admin(base, 'POST', '/api/mcp/clients', ['x'])).status).toBe(400);
    const ro = await admin(base, 'PATCH', '/api/mcp/clients/pinned', { disabled: true });
    expect(ro.status).toBe(403);
    expect(ro.json.error).toMatchObject({ code: 'mcp_client_read_only' });
    expect((await admin(base, 'DELETE', '/api/mcp/clients/pinned')).status).toBe(403);
    expect((await admin(base, 'POST', '/api/mcp/clients', { name: 'pinned', connection_type: 'stdio', stdio_config: { command: 'x' } })).status).toBe(409);
    expect((await admin(base, 'GET', '/api/mcp/clients/nope')).status).toBe(404);
    const noToken = await fetch(`${base}/api/mcp/clients`);
    expect(noToken.status).toBe(401);
  });

  it('updates (narrowing its tools on /mcp) and reconnects', async () => {
    const updated = await admin(base, 'PUT', '/api/mcp/clients/memory', { tools_to_execute: ['read_graph'], stdio_config: { command: process.execPath, args: [MEMORY, marker], env: { MEMORY_FILE_PATH: '<redacted>' } } });
    expect(updated.status).toBe(200);
    expect((updated.json.config as Json).tools_to_execute).toEqual(['read_graph']);
    await until(async () => {
      const n = await toolNames();
      return n.filter((t) => t.startsWith('memory-')).join() === 'memory-read_graph' ? true : undefined;
    }, 20_000, 100);
    // The kept secret still points the server at the same file: the entity is there.
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    const graph = await client.callTool({ name: 'memory-read_graph', arguments: {} });
    expect(JSON.stringify(graph.content)).toContain('MCP gateway');
    await client.close();
    const again = await admin(base, 'POST', '/api/mcp/clients/memory/reconnect');
    expect(again.status).toBe(200);
    await until(async () => ((await admin(base, 'GET', '/api/mcp/clients/memory')).json.state === 'connected' ? true : undefined), 20_000, 100);
  });

  it('deletes: its tools disappear from /mcp and its process exits', async () => {
    // The child a reconnect replaced is closed in the background (stdin EOF, grace, SIGTERM): wait for it to go.
    await until(async () => ((await processesWith(marker)).length === 1 ? true : undefined), 10_000, 100);
    expect((await admin(base, 'DELETE', '/api/mcp/clients/memory')).status).toBe(204);
    await until(async () => ((await processesWith(marker)).length === 0 ? true : undefined), 10_000, 100);
    await until(async () => ((await toolNames()).every((t) => !t.startsWith('memory-')) ? true : undefined), 10_000, 100);
    expect(await toolNames()).toEqual(['pinned-echo']);
    expect((await admin(base, 'GET', '/api/mcp/clients/memory')).status).toBe(404);
  });
});
