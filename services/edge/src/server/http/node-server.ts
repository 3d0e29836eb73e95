import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, context, contextWith, endSpan, extractHttp, startSpan, tracingActive } from '@switchyard/obs';
import { CHAT_ROUTE } from './chat-exchange.js';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const CHAT_ROUTE_QUERY = `${CHAT_ROUTE}?`;
/** Longer than the idle timeout of common load balancers (60 s), so they close first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** The raw node:http routing decision: only the chat hot path skips Hono. */
export function isChatRequest(method: string | undefined, url: string | undefined): boolean {
  return method === 'POST' && url !== undefined && (url === CHAT_ROUTE || url.startsWith(CHAT_ROUTE_QUERY));
}

/**
 * A low-cardinality route for span names: the path without its query, with segments
 * that carry ids (digits, versions like v1 aside) or names under /mcp/clients and /mcp/groups replaced.
 */
export function spanRoute(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0] ?? '/';
  const parts = path.split('/').slice(1, 5);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const named = i === 2 && parts[0] === 'mcp' && (parts[1] === 'clients' || parts[1] === 'groups');
    out.push(named || (/\d/.test(part) && !/^v\d+$/.test(part)) ? ':id' : part);
  }
  return `/${out.join('/')}`;
}

/**
 * The public HTTP server: `POST /v1/chat/completions` goes straight to the raw
 * handler; everything else to Hono's listener. Counts in-flight requests so that
 * shutdown can drain them.
 */
export class EdgeHttpServer {
  readonly server: Server;
  private inflight = 0;
  private closing = false;
  private readonly release = (): void => {
    this.inflight--;
  };

  constructor(private readonly chat: RequestListener, private readonly other: RequestListener) {
    this.server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, this.listener);
  }

  private readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.inflight++;
    res.once('close', this.release);
    if (this.closing) res.setHeader('connection', 'close');
    const handler = isChatRequest(req.method, req.url) ? this.chat : this.other;
    if (!tracingActive()) {
      handler(req, res);
      return;
    }
    // The request's server span, continuing the caller's trace; everything the request
    // does (gRPC calls, audit events) runs under it.
    const method = req.method ?? 'GET';
    const route = handler === this.chat ? CHAT_ROUTE : spanRoute(req.url);
    const parent = extractHttp(req.headers);
    const span = startSpan(`${method} ${route}`, SpanKind.SERVER, { 'http.request.method': method, 'http.route': route, 'url.path': (req.url ?? '/').split('?', 1)[0] ?? '/' }, parent);
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      endSpan(span, res.statusCode >= 500 ? new Error(`HTTP ${res.statusCode}`) : undefined);
    });
    context.with(contextWith(span, parent), () => handler(req, res));
  };

  get inFlight(): number {
    return this.inflight;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  async close(graceMs: number): Promise<void> {
    if (!this.server.listening) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const deadline = Date.now() + graceMs;
    while (this.inflight > 0 && Date.now() < deadline) {
      this.server.closeIdleConnections();
      await new Promise((r) => setTimeout(r, 25));
    }
    this.server.closeAllConnections();
    await closed;
  }
}
