import { resolve } from 'node:path';
import { expect } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import { createClient, mcpconnector, type GrpcClient } from '@switchyard/proto';
import { freePort, startProcess, type StartedProcess } from '@switchyard/testing';

export type Connector = GrpcClient<typeof mcpconnector.McpConnectorService>;

const root = resolve(import.meta.dirname, '../../../..');
export const NODE = process.execPath;
export const EVERYTHING = resolve(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const MEMORY = resolve(root, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');
export const SUPERGATEWAY = resolve(root, 'node_modules/supergateway/dist/index.js');

export interface HttpUpstream {
  port: number;
  url: string;
  process: StartedProcess;
}

/** server-everything in one of its HTTP modes on `port` (a free one unless given). */
export async function startEverythingHttp(mode: 'sse' | 'streamableHttp', port?: number): Promise<HttpUpstream> {
  const p = port ?? (await freePort());
  const process = await startProcess({
    command: NODE,
    args: [EVERYTHING, mode],
    env: { PORT: String(p) },
    readyLog: /listening on port|running on port/i,
  });
  return { port: p, url: mode === 'sse' ? `http://127.0.0.1:${p}/sse` : `http://127.0.0.1:${p}/mcp`, process };
}

export async function connect(port: number): Promise<Connector> {
  const client = createClient(mcpconnector.McpConnectorService, `127.0.0.1:${port}`);
  await client.waitForReady(5000);
  return client;
}

/** The SwitchyardError a call failed with (rebuilt from the gRPC trailers). */
export async function failure(call: Promise<unknown>): Promise<SwitchyardError> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SwitchyardError);
  return err as SwitchyardError;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const json = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
export const parse = (bytes: Uint8Array): Record<string, unknown> => JSON.parse(decoder.decode(bytes)) as Record<string, unknown>;

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const PAGED = resolve(root, 'services/mcp-connector/test/fixtures/paged-server.mjs');

/** This process's direct children that are MCP stdio servers (what a leak would leave behind). */
export async function stdioChildren(): Promise<string[]> {
  const { execFile } = await import('node:child_process');
  const out = await new Promise<string>((ok, fail) => execFile('ps', ['-e', '-o', 'pid=,ppid=,stat=,args='], (err, stdout) => (err ? fail(err) : ok(stdout))));
  return out.split('\n').map((l) => l.trim()).filter((l) => {
    const [, ppid, stat] = l.split(/\s+/);
    if (Number(ppid) !== process.pid || stat?.startsWith('Z') || l.includes(SUPERGATEWAY)) return false;
    return l.includes(MEMORY) || l.includes(PAGED) || (l.includes(EVERYTHING) && / stdio$/.test(l));
  });
}
