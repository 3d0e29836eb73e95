import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING_STDIO, startMcpGateway, until, type McpGateway } from './helpers.js';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../../../../node_modules/@modelcontextprotocol/inspector-cli/build/cli.js');
// inspector-cli 1.0.3 looks for `../package.json` relative to its working directory (a
// bug): run it from a directory whose parent has one (services/all-in-one/test).
const CWD = resolve(import.meta.dirname, '..');

interface Listed { tools: { name: string; inputSchema: { properties?: Record<string, unknown> } }[] }
interface Called { content: { type: string; text?: string }[]; isError?: boolean }

/** `mcp-inspector-cli --cli <url> --transport http …`; its JSON answer from stdout. */
async function inspector<T>(url: string, ...args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [CLI, '--cli', url, '--transport', 'http', ...args], {
    cwd: CWD,
    // The CLI starts its worker with `node` from PATH: make that this Node.
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as T;
}

// The official MCP Inspector's CLI (@modelcontextprotocol/inspector-cli, a real MCP client
// from npm) lists and calls tools through the gateway's /mcp and /mcp/clients/<name>.
describe('@modelcontextprotocol/inspector-cli through /mcp', () => {
  let setup: McpGateway | undefined;
  let base: string;

  beforeAll(async () => {
    setup = await startMcpGateway([
      { name: 'everything', connection_type: 'stdio', stdio_config: EVERYTHING_STDIO, tools_to_execute: ['echo', 'get-sum', 'get-structured-content'] },
    ]);
    base = setup.gw.url!;
    await until(async () => {
      const res = await fetch(`${base}/v1/mcp/tool/execute`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'warm', type: 'function', function: { name: 'everything-echo', arguments: '{"message":"up"}' } }),
      });
      await res.body?.cancel();
      return res.status === 200 ? true : undefined;
    }, 20_000, 200);
  }, 60_000);

  afterAll(async () => {
    await setup?.[Symbol.asyncDispose]();
  });

  it('lists the tools under their exposed names, schemas intact', async () => {
    const listed = await inspector<Listed>(`${base}/mcp`, '--method', 'tools/list');
    expect(listed.tools.map((t) => t.name).sort()).toEqual(['everything-echo', 'everything-get-structured-content', 'everything-get-sum']);
    const sum = listed.tools.find((t) => t.name === 'everything-get-sum')!;
    expect(Object.keys(sum.inputSchema.properties ?? {}).sort()).toEqual(['a', 'b']);
  });

  it('calls tools with typed arguments', async () => {
    const echo = await inspector<Called>(`${base}/mcp`, '--method', 'tools/call', '--tool-name', 'everything-echo', '--tool-arg', 'message=from inspector');
    expect(echo.isError).toBeFalsy();
    expect(echo.content[0]?.text).toBe('Echo: from inspector');
    const sum = await inspector<Called>(`${base}/mcp`, '--method', 'tools/call', '--tool-name', 'everything-get-sum', '--tool-arg', 'a=40', 'b=2');
    expect(sum.content[0]?.text).toContain('42');
  });

  it('passes structured content through (the client validates it against the listed outputSchema)', async () => {
    const res = await inspector<Called & { structuredContent?: Record<string, unknown> }>(
      `${base}/mcp`, '--method', 'tools/call', '--tool-name', 'everything-get-structured-content', '--tool-arg', 'location=New York',
    );
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toHaveProperty('temperature');
  });

  it('works on /mcp/clients/<name> with the upstream tool names', async () => {
    const listed = await inspector<Listed>(`${base}/mcp/clients/everything`, '--method', 'tools/list');
    expect(listed.tools.map((t) => t.name).sort()).toEqual(['echo', 'get-structured-content', 'get-sum']);
    const echo = await inspector<Called>(`${base}/mcp/clients/everything`, '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=single');
    expect(echo.content[0]?.text).toBe('Echo: single');
  });

  it('fails with the tool name in the error for an unknown tool', async () => {
    await expect(inspector(`${base}/mcp`, '--method', 'tools/call', '--tool-name', 'everything-nope')).rejects.toThrow(/everything-nope/);
  });
});
