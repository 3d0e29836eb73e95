import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { StartedProcess } from '@switchyard/testing';
import { CONFORMANCE_FIXTURE, startFixture } from './conformance.js';
import { startMcpGateway, until, type McpGateway } from './helpers.js';

interface ToolResult { content?: { type: string; text?: string }[]; isError?: boolean }
const textOf = (r: unknown): string => ((r as ToolResult).content ?? []).map((c) => c.text ?? '').join('');

/** How many session lanes mcp-connector holds for `client` (its Prometheus gauge, through edge's /metrics). */
async function lanes(base: string, client: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new RegExp(`^switchyard_mcp_session_lanes\\{[^}]*client="${client}"[^}]*\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

interface Session {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** The sampling / elicitation requests this session received (their prompt or message). */
  requests: string[];
  /** The log lines this session received. */
  logs: string[];
}

/** A barrier: resolves when `n` parties arrived (or after a while, so that a routing bug fails assertions instead of hanging). */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => undefined;
  const all = new Promise<void>((resolve) => { open = resolve; });
  return async () => {
    if (++arrived >= n) open();
    await Promise.race([all, new Promise((r) => setTimeout(r, 20_000))]);
  };
}

// Legacy /mcp sessions whose client takes sampling and elicitation, or set a log level,
// get their own upstream connection per client (a session lane in mcp-connector), so
// log messages and server-to-client requests reach exactly the session whose call
// caused them, while several sessions run tools on the same upstream at once. The
// upstream is the conformance fixture, over Streamable HTTP and over stdio.
describe('session lanes: logs, sampling and elicitation reach the session that caused them', () => {
  let fixture: { url: string; proc: StartedProcess };
  let setup: McpGateway | undefined;
  let base: string;
  const open: Session[] = [];

  async function session(opts: { sampling?: { answer: string; wait: () => Promise<void> }; elicit?: { user: string; wait: () => Promise<void> }; logLevel?: string } = {}): Promise<Session> {
    const client = new Client({ name: 'lanes-e2e', version: '1.0.0' }, { capabilities: opts.sampling || opts.elicit ? { sampling: {}, elicitation: {} } : {} });
    const s: Session = { client, transport: new StreamableHTTPClientTransport(new URL(`${base}/mcp`)), requests: [], logs: [] };
    const { sampling, elicit } = opts;
    if (sampling) {
      client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
        const content = req.params.messages[0]?.content;
        s.requests.push(content && 'text' in content ? String(content.text) : '');
        await sampling.wait();
        return { role: 'assistant', content: { type: 'text', text: sampling.answer }, model: 'e2e-model' };
      });
    }
    if (elicit) {
      client.setRequestHandler(ElicitRequestSchema, async (req) => {
        s.requests.push(String(req.params.message));
        await elicit.wait();
        return { action: 'accept', content: { username: elicit.user, email: `${elicit.user}@example.com` } };
      });
    }
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { s.logs.push(String(n.params.data)); });
    await client.connect(s.transport);
    if (opts.logLevel) await client.setLoggingLevel(opts.logLevel as 'info');
    open.push(s);
    return s;
  }

  async function end(s: Session): Promise<void> {
    await s.transport.terminateSession();
    await s.client.close();
    open.splice(open.indexOf(s), 1);
  }

  beforeAll(async () => {
    fixture = await startFixture();
    setup = await startMcpGateway([
      { name: 'conf', connection_type: 'http', connection_string: fixture.url },
      { name: 'confstdio', connection_type: 'stdio', stdio_config: { command: process.execPath, args: [CONFORMANCE_FIXTURE, '--stdio'] } },
    ], {}, { max_session_connections: 4 });
    base = setup.gw.url!;
    const probe = new Client({ name: 'wait', version: '1' });
    await probe.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    await until(async () => {
      const names = (await probe.listTools()).tools.map((t) => t.name);
      return names.includes('conf-test_sampling') && names.includes('confstdio-test_sampling') ? true : undefined;
    }, 30_000, 200);
    await probe.close();
  }, 60_000);

  afterAll(async () => {
    for (const s of [...open]) await s.client.close().catch(() => undefined);
    await setup?.[Symbol.asyncDispose]();
    await fixture?.proc.stop();
  });

  for (const client of ['conf', 'confstdio']) {
    it(`${client}: three sessions sample at once, each gets only its own request and its own answer`, async () => {
      const wait = barrier(3);
      const sessions = await Promise.all(['a', 'b', 'c'].map((k) => session({ sampling: { answer: `answer-${k}`, wait } })));
      // A session that needs no lane calls meanwhile, on the shared connection.
      const plain = await session();
      const results = await Promise.all([
        ...sessions.map((s, i) => s.client.callTool({ name: `${client}-test_sampling`, arguments: { prompt: `prompt-${'abc'[i]}` } })),
        plain.client.callTool({ name: `${client}-test_simple_text`, arguments: {} }),
      ]);
      sessions.forEach((s, i) => {
        const k = 'abc'[i];
        expect(s.requests).toEqual([`prompt-${k}`]);
        expect(textOf(results[i])).toBe(`LLM response: answer-${k}`);
      });
      expect((results[3] as ToolResult).isError).toBeFalsy();
      expect(await lanes(base, client)).toBe(3);
      // A second call of a session reuses its lane.
      const again = await sessions[0]!.client.callTool({ name: `${client}-test_sampling`, arguments: { prompt: 'again' } });
      expect(textOf(again)).toBe('LLM response: answer-a');
      expect(await lanes(base, client)).toBe(3);
      // DELETE /mcp ends a session and closes its lane (mcp.session.closed on the bus).
      for (const s of sessions) await end(s);
      await end(plain);
      await until(async () => ((await lanes(base, client)) === 0 ? true : undefined), 10_000, 50);
    }, 60_000);

    it(`${client}: elicitation from concurrent sessions goes to the session that caused it`, async () => {
      const wait = barrier(2);
      const [x, y] = await Promise.all(['xavier', 'yolanda'].map((user) => session({ elicit: { user, wait } })));
      const [rx, ry] = await Promise.all([
        x!.client.callTool({ name: `${client}-test_elicitation`, arguments: { message: 'for x' } }),
        y!.client.callTool({ name: `${client}-test_elicitation`, arguments: { message: 'for y' } }),
      ]);
      expect(x!.requests).toEqual(['for x']);
      expect(y!.requests).toEqual(['for y']);
      expect(textOf(rx)).toContain('"username":"xavier"');
      expect(textOf(ry)).toContain('"username":"yolanda"');
      await end(x!);
      await end(y!);
    }, 60_000);

    it(`${client}: concurrent logging tools, each session sees exactly its own three log lines`, async () => {
      const sessions = await Promise.all([0, 1, 2].map(() => session({ logLevel: 'info' })));
      const results = await Promise.all(sessions.map((s) => s.client.callTool({ name: `${client}-test_tool_with_logging`, arguments: {} })));
      for (const [i, s] of sessions.entries()) {
        expect(textOf(results[i])).toBe('Tool with logging executed successfully');
        expect(s.logs).toEqual(['Tool execution started', 'Tool processing data', 'Tool execution completed']);
      }
      for (const s of sessions) await end(s);
    }, 60_000);
  }

  it('beyond max_session_connections calls fall back to the shared connection and still succeed', async () => {
    // The cap is 4 per client here: six sessions with a log level each run a tool on conf.
    const sessions = await Promise.all([0, 1, 2, 3, 4, 5].map(() => session({ logLevel: 'info' })));
    for (const s of sessions) expect(textOf(await s.client.callTool({ name: 'conf-test_simple_text', arguments: {} }))).toBe('This is a simple text response for testing.');
    expect(await lanes(base, 'conf')).toBe(4);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^switchyard_mcp_session_lane_fallbacks_total\{[^}]*client="conf"[^}]*reason="cap"[^}]*\} 2$/m);
    for (const s of sessions) await end(s);
    await until(async () => ((await lanes(base, 'conf')) === 0 ? true : undefined), 10_000, 50);
  }, 60_000);
});
