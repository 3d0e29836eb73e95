import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@switchyard/obs';
import { createClient, mcpadmin, type GrpcClient } from '@switchyard/proto';
import { createSchema, dropSchema, testEnv, testIds, waitFor } from '@switchyard/testing';
import { createApp, loadMcpConnectorConfig, type McpConnectorApp } from '../../src/index.js';
import { resolve } from 'node:path';
import { alive, failure, json, MEMORY, NODE, parse } from './harness.js';

const TINY = resolve(import.meta.dirname, '../fixtures/tiny-server.mjs');

type Admin = GrpcClient<typeof mcpadmin.McpClientAdminService>;

const env = testEnv();
const KEY = randomBytes(32).toString('base64');
const SECRET_TOKEN = 'Bearer sk-upstream-very-secret';

/** Every process whose command line carries `marker`, whoever its parent now is (an orphan counts). */
async function processesWith(marker: string): Promise<string[]> {
  const out = await new Promise<string>((ok, fail) => execFile('ps', ['-e', '-o', 'pid=,stat=,ppid=,etimes=,args='], (err, stdout) => (err ? fail(err) : ok(stdout))));
  return out.split('\n').map((l) => l.trim()).filter((l) => l.includes(marker) && !l.split(/\s+/)[1]?.startsWith('Z'));
}

// Two mcp-connector replicas on the real Postgres (one schema) and NATS (one subject
// prefix): a client created through one replica's admin API reaches the other over
// NATS; secrets are ciphertext in the table and never come back in clear.
describe('API-managed MCP clients across replicas', () => {
  const ids = testIds('mcp_managed');
  const dir = mkdtempSync(join(tmpdir(), 'mcp-managed-'));
  const memoryFile = join(dir, 'memory.jsonl');
  const apps: McpConnectorApp[] = [];
  const admins: Admin[] = [];
  let db: pg.Client;

  const start = async (extra: Record<string, unknown> = {}): Promise<{ app: McpConnectorApp; admin: Admin }> => {
    const config = loadMcpConnectorConfig({
      env: {},
      overrides: {
        grpc: { port: 0 },
        ops: { port: -1 },
        encryption_key: KEY,
        observability: { log_level: 'silent' },
        reconnect: { initial_delay_ms: 50, max_delay_ms: 200 },
        clients: [{ name: 'from_yaml', connection_type: 'stdio', stdio_config: { command: 'does-not-exist' }, disabled: true }],
        backends: { database_url: env.databaseUrl, database_schema: ids.schema, nats_url: env.natsUrl, subject_prefix: ids.subjectPrefix },
        ...extra,
      },
    });
    const app = createApp(config, { logger: createLogger({ service: 'mcp-managed-test', level: 'silent' }) });
    apps.push(app);
    const { grpcPort } = await app.start();
    const admin = createClient(mcpadmin.McpClientAdminService, `127.0.0.1:${grpcPort}`);
    admins.push(admin);
    return { app, admin };
  };

  let a: { app: McpConnectorApp; admin: Admin };
  let b: { app: McpConnectorApp; admin: Admin };
  const memory = (marker: string) => ({
    name: 'memory', connection_type: 'stdio',
    stdio_config: { command: NODE, args: [MEMORY, marker], env: { MEMORY_FILE_PATH: memoryFile } },
  });

  beforeAll(async () => {
    await createSchema(env.databaseUrl, ids.schema);
    db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
    a = await start();
    b = await start();
  }, 60_000);

  afterAll(async () => {
    for (const c of admins) c.close();
    for (const app of apps) await app[Symbol.asyncDispose]();
    await db?.end();
    await dropSchema(env.databaseUrl, ids.schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates on replica A, connects on replica B through NATS, stores secrets encrypted', async () => {
    const created = await a.admin.client.createClientConfig({ config: json(memory(`--marker=${ids.runId}`)) });
    const config = parse(created.client!.config);
    expect(created.client!.source).toBe('api');
    expect((config.stdio_config as { env: Record<string, string> }).env).toEqual({ MEMORY_FILE_PATH: '<redacted>' });
    expect(config.tools_to_execute).toEqual(['*']);
    const row = (await db.query<{ config: { stdio_config: { env: Record<string, string> } } }>(`select config from "${ids.schema}".mcp_clients where name = 'memory'`)).rows[0]!;
    expect(row.config.stdio_config.env.MEMORY_FILE_PATH).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(JSON.stringify(row.config)).not.toContain(memoryFile);

    // Both replicas run it (each its own child), with the decrypted env.
    for (const r of [a, b]) {
      await waitFor(() => r.app.clients().find((c) => c.name === 'memory')?.state === 'connected', { timeoutMs: 20_000, intervalMs: 50 });
    }
    const view = (await b.admin.client.getClientConfig({ name: 'memory' })).client!;
    expect(view.state).toBe('connected');
    expect(view.toolCount).toBe(9);
    expect(view.tools).toContain('memory-create_entities');
    expect(new TextDecoder().decode(view.config)).not.toContain(memoryFile);
  });

  it('updates through B: headers and env sent back redacted keep their values; disabled closes the child on A', async () => {
    const pidA = a.app.clients().find((c) => c.name === 'memory')!.pid!;
    const updated = await b.admin.client.updateClientConfig({ name: 'memory', patch: json({ stdio_config: { command: NODE, args: [MEMORY, `--marker=${ids.runId}`], env: { MEMORY_FILE_PATH: '<redacted>', EXTRA: 'x' } }, tools_to_execute: ['read_graph'] }) });
    expect(parse(updated.client!.config).tools_to_execute).toEqual(['read_graph']);
    // A changed config means a new connection on every replica, with the kept secret.
    await waitFor(() => !alive(pidA), { timeoutMs: 10_000, intervalMs: 50 });
    await waitFor(() => a.app.clients().find((c) => c.name === 'memory')?.state === 'connected', { timeoutMs: 20_000, intervalMs: 50 });
    expect((await a.admin.client.getClientConfig({ name: 'memory' })).client!.tools).toEqual(['memory-read_graph']);
    const row = (await db.query<{ config: { stdio_config: { env: Record<string, string> } } }>(`select config from "${ids.schema}".mcp_clients where name = 'memory'`)).rows[0]!;
    expect(Object.keys(row.config.stdio_config.env).sort()).toEqual(['EXTRA', 'MEMORY_FILE_PATH']);

    const pid = a.app.clients().find((c) => c.name === 'memory')!.pid!;
    await a.admin.client.updateClientConfig({ name: 'memory', patch: json({ disabled: true }) });
    await waitFor(() => !alive(pid), { timeoutMs: 10_000, intervalMs: 50 });
    await waitFor(() => b.app.clients().find((c) => c.name === 'memory')?.state === 'disabled', { timeoutMs: 10_000, intervalMs: 50 });
  });

  it('validates with the config schema, refuses YAML clients and unknown names', async () => {
    const bad = await failure(a.admin.client.createClientConfig({ config: json({ name: 'x', connection_type: 'stdio' }) }));
    expect(bad).toMatchObject({ kind: 'invalid_argument', param: 'stdio_config' });
    const unknown = await failure(a.admin.client.createClientConfig({ config: json({ name: 'x', connection_type: 'http', connection_string: 'http://127.0.0.1:1/mcp', bogus: 1 }) }));
    expect(unknown).toMatchObject({ kind: 'invalid_argument', param: 'bogus' });
    const redactedNew = await failure(a.admin.client.createClientConfig({ config: json({ name: 'y', connection_type: 'http', connection_string: 'http://127.0.0.1:1/mcp', headers: { Authorization: '<redacted>' } }) }));
    expect(redactedNew).toMatchObject({ kind: 'invalid_argument', param: 'headers.Authorization' });
    expect(await failure(a.admin.client.updateClientConfig({ name: 'from_yaml', patch: json({ disabled: false }) }))).toMatchObject({ kind: 'permission_denied', code: 'mcp_client_read_only' });
    expect(await failure(a.admin.client.deleteClientConfig({ name: 'from_yaml' }))).toMatchObject({ kind: 'permission_denied' });
    expect(await failure(a.admin.client.createClientConfig({ config: json({ name: 'from_yaml', connection_type: 'stdio', stdio_config: { command: 'x' } }) }))).toMatchObject({ kind: 'conflict' });
    expect(await failure(a.admin.client.createClientConfig({ config: json(memory('dup')) }))).toMatchObject({ kind: 'conflict', code: 'mcp_client_exists' });
    expect(await failure(a.admin.client.getClientConfig({ name: 'nope' }))).toMatchObject({ kind: 'not_found' });
    expect(await failure(a.admin.client.updateClientConfig({ name: 'memory', patch: json({ name: 'other' }) }))).toMatchObject({ kind: 'invalid_argument', param: 'name' });
    const list = (await a.admin.client.listClientConfigs({})).clients.map((c) => [c.name, c.source]);
    expect(list).toEqual([['from_yaml', 'config'], ['memory', 'api']]);
  });

  it('keeps header secrets encrypted and redacted; another key cannot read them', async () => {
    await a.admin.client.createClientConfig({ config: json({ name: 'remote', connection_type: 'http', connection_string: 'http://127.0.0.1:9/mcp', headers: { Authorization: SECRET_TOKEN }, disabled: true }) });
    const row = (await db.query<{ config: { headers: Record<string, string> } }>(`select config from "${ids.schema}".mcp_clients where name = 'remote'`)).rows[0]!;
    expect(row.config.headers.Authorization).toMatch(/^v1:/);
    expect(JSON.stringify(row.config)).not.toContain('sk-upstream');
    expect(parse((await b.admin.client.getClientConfig({ name: 'remote' })).client!.config).headers).toEqual({ Authorization: '<redacted>' });
    // A replica with another key skips what it cannot decrypt (both clients have secrets) instead of failing.
    const other = await start({ encryption_key: randomBytes(32).toString('hex') });
    expect((await other.admin.client.listClientConfigs({})).clients.map((c) => c.name)).toEqual(['from_yaml']);
    await other.app[Symbol.asyncDispose]();
  });

  it('deletes: every replica closes the client, its child exits and its tools are gone', async () => {
    await a.admin.client.updateClientConfig({ name: 'memory', patch: json({ disabled: false, tools_to_execute: ['*'] }) });
    for (const r of [a, b]) await waitFor(() => r.app.clients().find((c) => c.name === 'memory')?.state === 'connected', { timeoutMs: 20_000, intervalMs: 50 });
    const pids = [a, b].map((r) => r.app.clients().find((c) => c.name === 'memory')!.pid!);
    await b.admin.client.deleteClientConfig({ name: 'memory' });
    for (const pid of pids) await waitFor(() => !alive(pid), { timeoutMs: 10_000, intervalMs: 50 });
    for (const r of [a, b]) await waitFor(() => r.app.clients().every((c) => c.name !== 'memory'), { timeoutMs: 10_000, intervalMs: 50 });
    expect(await failure(a.admin.client.getClientConfig({ name: 'memory' }))).toMatchObject({ kind: 'not_found' });
    expect(await processesWith(`--marker=${ids.runId}`)).toEqual([]);
  });

  it('hundreds of create/delete cycles through the API leave no child process behind', async () => {
    const marker = `--leak=${ids.runId}`;
    const cycle = async (i: number, settle: boolean): Promise<void> => {
      await a.admin.client.createClientConfig({ config: json({ name: `leak_${i}`, connection_type: 'stdio', stdio_config: { command: NODE, args: [TINY, marker], env: { TOKEN: `t${i}` } } }) });
      if (settle) await waitFor(() => a.app.clients().find((c) => c.name === `leak_${i}`)?.state === 'connected', { timeoutMs: 20_000, intervalMs: 25 });
      await a.admin.client.deleteClientConfig({ name: `leak_${i}` });
    };
    // Deleted while the connect (spawn, initialize) is still in flight: the race that leaks.
    for (let i = 0; i < 180; i += 5) await Promise.all([0, 1, 2, 3, 4].map((j) => cycle(i + j, false)));
    // And full connect / disconnect cycles.
    for (let i = 180; i < 200; i++) await cycle(i, true);
    // Replica B followed every change over NATS; wait until it settled too.
    await waitFor(() => [a, b].every((r) => r.app.clients().every((c) => !c.name.startsWith('leak_'))), { timeoutMs: 30_000, intervalMs: 100 });
    await waitFor(async () => (await processesWith(marker)).length === 0, { timeoutMs: 15_000, intervalMs: 200 });
    expect(await processesWith(marker)).toEqual([]);
    expect((await a.admin.client.listClientConfigs({})).clients.filter((c) => c.name.startsWith('leak_'))).toEqual([]);
  }, 240_000);
});
