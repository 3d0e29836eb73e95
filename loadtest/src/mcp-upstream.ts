// The MCP server the MCP benchmark measures against: Streamable HTTP, stateless (no
// session id: every POST stands alone), JSON responses (no SSE), built with the MCP
// SDK's low-level Server and a pre-built tool list, so it costs as little as the SDK
// allows. `echo` answers tools/call; `--tools N` pads the list to N tools.
//
//   node loadtest/dist/mcp-upstream.js --port 8090 --tools 500
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { benchTools, ECHO_TOOL } from './lib/mcp.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8090' }, tools: { type: 'string', default: '10' } } });
const tools = benchTools(Number(values.tools));
const MAX_BODY = 1 << 20;

function newServer(): Server {
  const server = new Server({ name: 'switchyard-bench-upstream', version: '0.1.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, (req): CallToolResult => {
    if (req.params.name !== ECHO_TOOL) return { content: [{ type: 'text', text: `unknown tool ${req.params.name}` }], isError: true };
    return { content: [{ type: 'text', text: `Echo: ${String(req.params.arguments?.message ?? '')}` }] };
  });
  return server;
}

function reply(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
}

const httpServer = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return reply(res, 200, '{"ok":true}');
  // Stateless: no standalone GET stream and no session to DELETE.
  if (req.method !== 'POST') return reply(res, 405, '{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Method not allowed"}}', { allow: 'POST' });
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(res, 400, '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
    }
    // A stateless transport serves exactly one request: a new Server and transport each time.
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res, body))
      .catch((err: unknown) => {
        if (!res.headersSent) reply(res, 500, JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: String(err) } }));
      });
  });
});
httpServer.keepAliveTimeout = 65_000;
httpServer.listen(Number(values.port), '127.0.0.1');
const stop = (): void => void httpServer.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
