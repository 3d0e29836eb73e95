import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '@switchyard/bus';
import { fromBinary, mcpconnector, SUBJECTS } from '@switchyard/proto';
import { createLogger } from '@switchyard/obs';
import { waitFor } from '@switchyard/testing';
import { createApp, loadMcpConnectorConfig, type McpConnectorApp } from '../../src/index.js';
import { alive, stdioChildren, connect, EVERYTHING, failure, json, MEMORY, NODE, parse, startEverythingHttp, SUPERGATEWAY, type Connector, type HttpUpstream } from './harness.js';
import { freePort, startProcess, type StartedProcess } from '@switchyard/testing';

const CLIENTS = ['ev_stdio', 'ev_sse', 'ev_http', 'memory', 'sg_sse'] as const;

describe('mcp-connector against real MCP servers', () => {
  let app: McpConnectorApp;
  let rpc: Connector;
  let sse: HttpUpstream;
  let http: HttpUpstream;
  let gateway: StartedProcess;
  let gatewayPort: number;
  const bus = new MemoryBus();
  const changes: { client: string; version: string }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'mcp-connector-'));

  beforeAll(async () => {
    bus.subscribe(SUBJECTS.catalogChanged, (msg) => {
      const e = fromBinary(mcpconnector.CatalogChangedSchema, msg.data);
      changes.push({ client: e.client, version: e.catalogVersion });
    });
    gatewayPort = await freePort();
    [sse, http, gateway] = await Promise.all([
      startEverythingHttp('sse'),
      startEverythingHttp('streamableHttp'),
      // supergateway in front of a stdio server-everything, speaking SSE.
      startProcess({
        command: NODE,
        args: [SUPERGATEWAY, '--stdio', `${NODE} ${EVERYTHING} stdio`, '--port', String(gatewayPort), '--outputTransport', 'sse'],
        readyLog: /Listening on port/,
      }),
    ]);
    const config = loadMcpConnectorConfig({
      env: {},
      overrides: {
        grpc: { port: 0 },
        ops: { port: -1 },
        health_check_interval_ms: 200,
        health_check_failures: 2,
        reconnect: { initial_delay_ms: 100, max_delay_ms: 500 },
        observability: { log_level: 'silent' },
        clients: [
          { name: 'ev_stdio', connection_type: 'stdio', stdio_config: { command: NODE, args: [EVERYTHING, 'stdio'] }, tools_to_execute: ['echo', 'get-sum', 'get-structured-content', 'trigger-long-running-operation'] },
          { name: 'ev_sse', connection_type: 'sse', connection_string: sse.url, tools_to_auto_execute: ['echo'] },
          { name: 'ev_http', connection_type: 'http', connection_string: http.url, timeout_ms: 5000 },
          { name: 'memory', connection_type: 'stdio', stdio_config: { command: NODE, args: [MEMORY], env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') } } },
          { name: 'sg_sse', connection_type: 'sse', connection_string: `http://127.0.0.1:${gatewayPort}/sse` },
          { name: 'off', connection_type: 'stdio', stdio_config: { command: 'does-not-exist' }, disabled: true },
        ],
      },
    });
    app = createApp(config, { bus, logger: createLogger({ service: 'mcp-connector-test', level: 'silent' }) });
    const { grpcPort } = await app.start();
    rpc = await connect(grpcPort);
    await waitFor(() => app.clients().filter((c) => c.state === 'connected').length === CLIENTS.length, { timeoutMs: 30_000, intervalMs: 50 });
  }, 60_000);

  afterAll(async () => {
    rpc?.close();
    await app?.[Symbol.asyncDispose]();
    await Promise.all([sse?.process.stop(), http?.process.stop(), gateway?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects every upstream at once and reports each with its tool count', async () => {
    const { clients } = await rpc.client.listClients({});
    const byName = Object.fromEntries(clients.map((c) => [c.name, c]));
    for (const name of CLIENTS) expect(byName[name]?.state, name).toBe('connected');
    expect(byName.off?.state).toBe('disabled');
    expect(byName.memory?.toolCount).toBe(9);
    for (const name of ['ev_sse', 'ev_http', 'sg_sse']) expect(byName[name]?.toolCount, name).toBeGreaterThanOrEqual(13);
    // server-everything is built on SDK 1.32 (2025-11-25): the server/discover probe falls back to initialize.
    for (const name of CLIENTS) expect(byName[name]?.protocolEra, name).toBe('legacy');
  });

  it('lists every client\'s tools under stable <client>-<tool> names, filtered by tools_to_execute', async () => {
    const { tools, catalogVersion } = await rpc.client.listTools({});
    expect(catalogVersion).toMatch(/^[0-9a-f]{16}$/);
    const names = tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(names).toContain('ev_sse-echo');
    expect(names).toContain('ev_http-get-sum');
    expect(names).toContain('memory-create_entities');
    expect(names).toContain('sg_sse-echo');
    // tools_to_execute narrows ev_stdio to exactly its list.
    expect(tools.filter((t) => t.client === 'ev_stdio').map((t) => t.upstreamName).sort()).toEqual(['echo', 'get-structured-content', 'get-sum', 'trigger-long-running-operation']);
    const echo = tools.find((t) => t.name === 'ev_http-echo');
    expect(echo?.upstreamName).toBe('echo');
    const def = parse(echo!.definition);
    expect(def.name).toBe('echo');
    expect(def.inputSchema).toMatchObject({ type: 'object', properties: { message: { type: 'string' } } });
    const structured = parse(tools.find((t) => t.name === 'ev_stdio-get-structured-content')!.definition);
    expect(structured.outputSchema).toBeTypeOf('object');
    expect(tools.filter((t) => t.autoExecute).map((t) => t.name)).toEqual(['ev_sse-echo']);
    const only = await rpc.client.listTools({ clients: ['memory'] });
    expect(new Set(only.tools.map((t) => t.client))).toEqual(new Set(['memory']));
  });

  it('calls tools over stdio, SSE, Streamable HTTP and supergateway and returns the upstream result', async () => {
    for (const client of ['ev_stdio', 'ev_sse', 'ev_http', 'sg_sse']) {
      const echoed = parse((await rpc.client.callTool({ name: `${client}-echo`, arguments: json({ message: `hi ${client}` }) })).result);
      expect(echoed.content, client).toEqual([{ type: 'text', text: `Echo: hi ${client}` }]);
      const sum = parse((await rpc.client.callTool({ name: `${client}-get-sum`, arguments: json({ a: 40, b: 2 }) })).result);
      expect(JSON.stringify(sum.content), client).toContain('42');
    }
    const created = parse((await rpc.client.callTool({
      name: 'memory-create_entities',
      arguments: json({ entities: [{ name: 'switchyard', entityType: 'project', observations: ['MCP gateway'] }] }),
    })).result);
    expect(JSON.stringify(created)).toContain('switchyard');
    const structured = parse((await rpc.client.callTool({ name: 'ev_stdio-get-structured-content', arguments: json({ location: 'New York' }) })).result);
    expect(structured.structuredContent).toBeTypeOf('object');
  });

  it('passes an upstream tool error through as a result with isError', async () => {
    // Invalid arguments are a tool execution error (isError), not a protocol error, since 2025-11-25.
    const res = parse((await rpc.client.callTool({ name: 'memory-create_entities', arguments: json({ entities: 'not an array' }) })).result);
    expect(res.isError).toBe(true);
    expect(JSON.stringify(res.content)).toMatch(/entities|invalid|expected/i);
  });

  it('rejects unknown tools, blocked tools and bad arguments with their own errors', async () => {
    const unknown = await failure(rpc.client.callTool({ name: 'ev_http-nope', arguments: json({}) }));
    expect(unknown.kind).toBe('not_found');
    const blocked = await failure(rpc.client.callTool({ name: 'ev_stdio-get-env', arguments: json({}) }));
    expect(blocked.kind).toBe('permission_denied');
    expect(blocked.code).toBe('mcp_tool_blocked');
    const bad = await failure(rpc.client.callTool({ name: 'ev_http-echo', arguments: new TextEncoder().encode('{') }));
    expect(bad.kind).toBe('invalid_argument');
  });

  it('times out a slow upstream call as upstream_timeout', async () => {
    const slow = await failure(rpc.client.callTool({ name: 'ev_stdio-trigger-long-running-operation', arguments: json({ duration: 5, steps: 5 }), timeoutMs: 300 }));
    expect(slow.kind).toBe('upstream_timeout');
    // and the client still serves afterwards
    const ok = parse((await rpc.client.callTool({ name: 'ev_stdio-echo', arguments: json({ message: 'after' }) })).result);
    expect(ok.content).toEqual([{ type: 'text', text: 'Echo: after' }]);
  });

  it('reports a killed upstream unstable/disconnected, keeps the others serving, and reconnects when it is back', async () => {
    const seen = new Set<string>();
    const watch = setInterval(() => {
      const s = app.clients().find((c) => c.name === 'ev_http')?.state;
      if (s) seen.add(s);
    }, 10);
    const changesBefore = changes.length;
    await http.process.stop('SIGKILL');
    try {
      await waitFor(() => ['disconnected', 'reconnecting'].includes(app.clients().find((c) => c.name === 'ev_http')!.state), { timeoutMs: 10_000, intervalMs: 20 });
      expect(seen.has('unstable') || seen.has('disconnected')).toBe(true);
      const down = await failure(rpc.client.callTool({ name: 'ev_http-echo', arguments: json({ message: 'x' }) }));
      expect(down.kind).toBe('unavailable');
      // The others keep serving, and the catalog no longer offers the dead client's tools.
      const echoed = parse((await rpc.client.callTool({ name: 'ev_sse-echo', arguments: json({ message: 'still here' }) })).result);
      expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: still here' }]);
      const { tools } = await rpc.client.listTools({});
      expect(tools.some((t) => t.client === 'ev_http')).toBe(false);
      expect(tools.some((t) => t.client === 'ev_sse')).toBe(true);
      await waitFor(() => changes.length > changesBefore, { timeoutMs: 2000, intervalMs: 20 });
      expect(changes.at(-1)?.client).toBe('ev_http');

      http = await startEverythingHttp('streamableHttp', http.port);
      await waitFor(() => app.clients().find((c) => c.name === 'ev_http')!.state === 'connected', { timeoutMs: 15_000, intervalMs: 20 });
      const back = parse((await rpc.client.callTool({ name: 'ev_http-echo', arguments: json({ message: 'back' }) })).result);
      expect(back.content).toEqual([{ type: 'text', text: 'Echo: back' }]);
    } finally {
      clearInterval(watch);
    }
  }, 40_000);

  it('a stdio upstream whose child dies is reconnected with a new child', async () => {
    const before = app.clients().find((c) => c.name === 'memory')!.pid!;
    expect(alive(before)).toBe(true);
    process.kill(before, 'SIGKILL');
    await waitFor(() => {
      const c = app.clients().find((x) => x.name === 'memory')!;
      return c.state === 'connected' && c.pid !== undefined && c.pid !== before;
    }, { timeoutMs: 15_000, intervalMs: 20 });
    const read = parse((await rpc.client.callTool({ name: 'memory-read_graph', arguments: json({}) })).result);
    expect(JSON.stringify(read)).toContain('switchyard');
  }, 30_000);

  it('dispose closes every upstream and leaves no child process', async () => {
    const pids = app.clients().map((c) => c.pid).filter((p): p is number => p !== undefined);
    expect(pids.length).toBe(2);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    rpc.close();
    await app[Symbol.asyncDispose]();
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    // Nothing else either (the SDK's discover-probe siblings included).
    expect(await stdioChildren()).toEqual([]);
  });
});
