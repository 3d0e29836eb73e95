// The MCP side of the benchmark: the bench upstream's tool list, the fixed JSON-RPC
// bodies the generator sends, the check that a reply is the right answer (a JSON-RPC
// error still comes back as HTTP 200), and the legacy-session handshake the gateway's
// /mcp wants before any other request.
import { httpRequest } from './procs.js';

export const PROTOCOL_VERSION = '2025-11-25';
/** Every tool of the bench upstream: `echo` and `filler_NNNN` up to the requested count. */
export const ECHO_TOOL = 'echo';
export const ECHO_MESSAGE = 'switchyard bench';

export interface ToolDefinition {
  name: string;
  title?: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/**
 * `count` tool definitions, deterministic, shaped like real ones (a description, a
 * JSON Schema with a few typed properties, annotations): `echo` first, then fillers.
 */
export function benchTools(count: number): ToolDefinition[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`tool count must be a positive integer, got ${count}`);
  const tools: ToolDefinition[] = [{
    name: ECHO_TOOL,
    description: 'Echoes the message back.',
    inputSchema: { type: 'object', properties: { message: { type: 'string', description: 'What to echo' } }, required: ['message'] },
  }];
  for (let i = 1; i < count; i++) {
    const n = String(i).padStart(4, '0');
    tools.push({
      name: `filler_${n}`,
      title: `Filler ${n}`,
      description: `Looks up record ${n} in the inventory of yard ${i % 17} and returns its current track, car count and last switch time.`,
      inputSchema: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'Record identifier' },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
          verbose: { type: 'boolean', default: false },
        },
        required: ['id'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    });
  }
  return tools;
}

export type BenchMethod = 'tools/call' | 'tools/list';

/** The exposed name of a tool behind the gateway: `<client>-<tool>` (client names without '-'). */
export const exposedName = (client: string, tool: string): string => `${client}-${tool}`;

/** The one JSON-RPC request every generator connection sends, over and over. */
export function rpcBody(method: BenchMethod, toolName = ECHO_TOOL): string {
  const params = method === 'tools/call' ? { name: toolName, arguments: { message: ECHO_MESSAGE } } : {};
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
}

/**
 * Throws unless `text` is the successful answer to `method`: for tools/call, the echo's
 * text; for tools/list, exactly `expectedTools` tools (no pagination in the bench).
 */
export function checkReply(method: BenchMethod, text: string, expectedTools: number): void {
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    throw new Error(`not JSON: ${text.slice(0, 200)}`);
  }
  const r = reply as { result?: { content?: { text?: unknown }[]; isError?: unknown; tools?: unknown[]; nextCursor?: unknown }; error?: { message?: unknown } };
  if (r.error !== undefined) throw new Error(`JSON-RPC error: ${String(r.error.message)}`);
  if (method === 'tools/call') {
    const got = r.result?.content?.[0]?.text;
    if (r.result?.isError === true || got !== `Echo: ${ECHO_MESSAGE}`) throw new Error(`unexpected tools/call result: ${text.slice(0, 200)}`);
    return;
  }
  const count = r.result?.tools?.length;
  if (count !== expectedTools || r.result?.nextCursor !== undefined) {
    throw new Error(`tools/list answered ${String(count)} tools${r.result?.nextCursor === undefined ? '' : ' and a cursor'}, expected ${expectedTools}`);
  }
}

/** Headers of every request: JSON in, JSON or SSE accepted (Streamable HTTP), the protocol version. */
export function mcpHeaders(sessionId: string | undefined): string[] {
  const headers = ['Content-Type: application/json', 'Accept: application/json, text/event-stream', `MCP-Protocol-Version: ${PROTOCOL_VERSION}`];
  if (sessionId !== undefined) headers.push(`Mcp-Session-Id: ${sessionId}`);
  return headers;
}

export function headerRecord(headers: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) {
    const i = h.indexOf(':');
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

/** initialize + notifications/initialized; the session id the endpoint issued (undefined when stateless). */
export async function openSession(url: string): Promise<string | undefined> {
  const init = await httpRequest(url, {
    method: 'POST',
    headers: headerRecord(mcpHeaders(undefined)),
    body: JSON.stringify({
      jsonrpc: '2.0', id: 0, method: 'initialize',
      params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'switchyard-bench', version: '0.1.0' } },
    }),
    timeoutMs: 10_000,
  });
  if (init.status !== 200) throw new Error(`initialize: HTTP ${init.status}: ${init.body.slice(0, 200)}`);
  const header = init.headers['mcp-session-id'];
  const sessionId = typeof header === 'string' ? header : undefined;
  const done = await httpRequest(url, {
    method: 'POST',
    headers: headerRecord(mcpHeaders(sessionId)),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    timeoutMs: 10_000,
  });
  if (done.status !== 202) throw new Error(`notifications/initialized: HTTP ${done.status}: ${done.body.slice(0, 200)}`);
  return sessionId;
}
