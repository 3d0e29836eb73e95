// The ceiling for the chat hot path: a passthrough proxy with no framework.
// node:http in, undici Pool out, the body read from the raw request, the
// upstream's status and body written back (SSE streamed through as it arrives).
//
//   node loadtest/dist/bare-proxy.js --port 8081 --upstream http://127.0.0.1:8090
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const CHAT_PATH = '/v1/chat/completions';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8081' },
    host: { type: 'string', default: '127.0.0.1' },
    upstream: { type: 'string' },
    connections: { type: 'string', default: '256' },
  },
});
if (!values.upstream) {
  console.error('usage: bare-proxy --port P --upstream http://127.0.0.1:M');
  process.exit(2);
}

const upstream = new URL(values.upstream);
const basePath = upstream.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
const pool = new Pool(upstream.origin, {
  connections: Number(values.connections),
  pipelining: 1,
  keepAliveTimeout: 30_000,
});

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
    });
    req.on('end', () => resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, length)));
    req.on('error', reject);
  });
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { message, type: 'proxy_error' } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = await readBody(req);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const auth = req.headers.authorization;
  if (auth) headers.authorization = auth;
  const up = await pool.request({ path: basePath + CHAT_PATH, method: 'POST', headers, body });
  const contentType = up.headers['content-type'];
  const contentLength = up.headers['content-length'];
  if (typeof contentType === 'string') res.setHeader('content-type', contentType);
  res.statusCode = up.statusCode;
  if (typeof contentLength === 'string') {
    // A sized body: collect it and write it once.
    const buf = Buffer.from(await up.body.arrayBuffer());
    res.setHeader('content-length', buf.length);
    res.end(buf);
    return;
  }
  // SSE or any unsized body: stream it through chunk by chunk.
  res.flushHeaders();
  await pipeline(up.body, res);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== CHAT_PATH) {
    req.resume();
    sendError(res, 404, `no route for ${req.method ?? ''} ${req.url ?? ''}`);
    return;
  }
  forward(req, res).catch((err: unknown) => {
    sendError(res, 502, err instanceof Error ? err.message : String(err));
  });
});
server.keepAliveTimeout = 65_000;

server.listen(Number(values.port), values.host, () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : values.port;
  console.log(`bare-proxy listening on http://${values.host}:${port} -> ${upstream.origin}`);
});

function shutdown(): void {
  server.close();
  void pool.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
