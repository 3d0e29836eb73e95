import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isRecord } from './content.js';
import {
  handleCompletion,
  handleCountTokens,
  handleModels,
  sendError,
  sendJson,
  type MockContext,
  type ParsedRequest,
} from './handlers.js';
import { parseSteps, ScenarioStore } from './scenarios.js';
import type { MockApi, MockProvider, MockProviderOptions, MockStep, RecordedRequest } from './types.js';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0]?.toString('utf8') ?? '') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function apiOf(route: string, req: IncomingMessage): MockApi {
  if (route.startsWith('/messages')) return 'anthropic';
  if (route === '/chat/completions') return 'openai';
  return req.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
}

function control(provider: MockProvider, route: string, p: ParsedRequest): void {
  const { req, res } = p;
  const key = `${req.method ?? ''} ${route}`;
  if (key === 'GET /_mock/health') return sendJson(res, 200, '{"ok":true}');
  if (key === 'GET /_mock/requests') return sendJson(res, 200, JSON.stringify(provider.requests));
  if (key === 'POST /_mock/reset') {
    provider.reset();
    return sendJson(res, 200, '{"ok":true}');
  }
  if (key === 'POST /_mock/scripts') {
    try {
      const body = p.body;
      if (!isRecord(body) || typeof body['id'] !== 'string' || body['id'] === '') throw new Error('id: expected a string');
      provider.script(body['id'], parseSteps(body['steps']));
    } catch (err) {
      return sendJson(res, 400, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
    }
    return sendJson(res, 200, '{"ok":true}');
  }
  sendJson(res, 404, JSON.stringify({ error: `no control route ${key}` }));
}

function route(ctx: MockContext, provider: MockProvider, p: ParsedRequest, pathname: string): void {
  const r = pathname.startsWith('/v1/') ? pathname.slice(3) : pathname;
  if (r.startsWith('/_mock/')) return control(provider, r, p);
  const method = p.req.method;
  if (method === 'POST' && (r === '/chat/completions' || r === '/messages')) return handleCompletion(ctx, p);
  if (method === 'GET' && r === '/models') return handleModels(ctx, p);
  if (method === 'POST' && r === '/messages/count_tokens') return handleCountTokens(ctx, p);
  sendError(p.res, p.api, 404, `mock: no route ${method ?? ''} ${pathname}`);
}

function host(h: string): string {
  return h.includes(':') ? `[${h}]` : h;
}

/** Starts the mock LLM provider (OpenAI and Anthropic wire formats) on a real HTTP port. */
export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const requests: RecordedRequest[] = [];
  const store = new ScenarioStore();
  const recordOn = options.record ?? true;
  const maxRecorded = Math.max(1, options.maxRecorded ?? 10_000);
  const prefix = randomBytes(3).toString('hex');
  let seq = 0;
  const ctx: MockContext = {
    latencyMs: options.latencyMs ?? 0,
    validKeys: options.validKeys ? new Set(options.validKeys) : undefined,
    keyFailures: { ...options.keyFailures },
    store,
    record: (entry) => {
      if (!recordOn) return;
      // Drop the oldest half at once rather than shifting per request.
      if (requests.length >= maxRecorded) requests.splice(0, Math.ceil(maxRecorded / 2));
      requests.push(entry);
    },
    nextSeq: () => `mock${prefix}${(++seq).toString(36)}`,
  };

  const server = createServer();
  server.keepAliveTimeout = 65_000;
  const hostName = options.host ?? '127.0.0.1';
  const provider: MockProvider = {
    url: '',
    port: 0,
    requests,
    script: (id: string, steps: MockStep[]) => store.script(id, steps),
    reset: () => {
      requests.length = 0;
      store.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    [Symbol.asyncDispose]: () => provider.close(),
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const raw = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req);
    const r = pathname.startsWith('/v1/') ? pathname.slice(3) : pathname;
    route(ctx, provider, { req, res, api: apiOf(r, req), raw, body: parseJson(raw) }, pathname);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, '{"error":{"message":"mock: internal error","type":"server_error"}}');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, hostName, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('mock provider: no TCP address');
  provider.port = address.port;
  provider.url = `http://${host(hostName)}:${address.port}`;
  return provider;
}
