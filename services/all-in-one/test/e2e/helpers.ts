import { resolve } from 'node:path';
import { startMockProvider, type MockProvider } from '@switchyard/testing';
import { createAllInOne, type AllInOne } from '../../src/index.js';

export const ADMIN = 'e2e-admin-token';

/** The llm_proxy section used by the end-to-end tests: real providers pointed at the mock. */
export function providersSection(mock: MockProvider, backup: MockProvider): Record<string, unknown> {
  const fast = { retry_backoff_initial_ms: 5, retry_backoff_max_ms: 20, timeout_ms: 5_000 };
  return {
    providers: [
      { id: 'openai', kind: 'openai', base_url: `${mock.url}/v1`, keys: [{ name: 'primary', value: 'good-key' }], max_retries: 2, ...fast, models: ['gpt-4o-mini'] },
      { id: 'anthropic', kind: 'anthropic', base_url: mock.url, keys: [{ name: 'main', value: 'anthropic-key' }], ...fast, models: ['claude-sonnet-4-5'] },
      // Every call through this provider fails with 500 (the mock fails this key), so only fallbacks can serve its models.
      { id: 'flaky', kind: 'openai', base_url: `${mock.url}/v1`, keys: [{ name: 'broken', value: 'always-500' }], max_retries: 1, ...fast },
      { id: 'backup', kind: 'openai', base_url: `${backup.url}/v1`, keys: [{ name: 'backup', value: 'backup-key' }], ...fast },
    ],
    fallbacks: { 'flaky/*': ['backup/gpt-4o-mini'] },
  };
}

export async function admin(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function rawChat(base: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: { error?: { message: string; type: string; param: string | null; code: string | null } } }> {
  const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, json: (await res.json()) as { error?: { message: string; type: string; param: string | null; code: string | null } } };
}

export async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** server-everything (a real MCP server from npm) over stdio. */
export const EVERYTHING_STDIO = {
  command: process.execPath,
  args: [resolve(import.meta.dirname, '../../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'],
};

export interface McpGateway extends AsyncDisposable {
  gw: AllInOne;
  mock: MockProvider;
  backup: MockProvider;
}

/**
 * The whole gateway (every service, mcp-connector included) with these MCP clients,
 * the mock provider upstream, embedded storage and gRPC between the services.
 */
export async function startMcpGateway(clients: Record<string, unknown>[], edge: Record<string, unknown> = {}, connector: Record<string, unknown> = {}): Promise<McpGateway> {
  const mock = await startMockProvider();
  const backup = await startMockProvider();
  const gw = await createAllInOne(
    {
      file: { llm_proxy: providersSection(mock, backup), mcp_connector: { ...connector, clients } },
      source: undefined,
      services: ['edge', 'llm-proxy', 'governance', 'telemetry', 'mcp-connector'],
      dataDir: 'memory://',
      internalTransport: 'grpc',
    },
    { LOG_LEVEL: 'warn', SWITCHYARD_ADMIN_TOKEN: ADMIN },
    { edge: { port: 0, ...edge } },
  );
  return {
    gw, mock, backup,
    [Symbol.asyncDispose]: async () => {
      await gw[Symbol.asyncDispose]();
      await mock.close();
      await backup.close();
    },
  };
}
