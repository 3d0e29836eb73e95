import { Client, ProtocolError, SSEClientTransport, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { McpClientConfig } from '../../config.js';
import { RpcError, type JsonObject, type SessionEvents, type UpstreamConnector, type UpstreamSession } from '../../domain/ports.js';
import { classify, suggestsLegacySse } from './errors.js';
import { createPoolFetch, type PoolFetch } from './pool-fetch.js';
import { SdkSession } from './sdk-session.js';

export interface SdkConnectorOptions {
  /** The environment every stdio child starts from (PATH, HOME, ...); the client's `env` is added on top. */
  baseEnv: Record<string, string>;
  clientInfo?: { name: string; version: string };
  /** How long the `server/discover` probe may take before a stdio server is taken as legacy. */
  probeTimeoutMs?: number;
}

/**
 * Opens upstream sessions with the MCP SDK v2 client: dual-era (a `server/discover`
 * probe first, the legacy `initialize` handshake as fallback) over stdio, SSE and
 * Streamable HTTP (falling back to SSE on a 4xx, as the spec's back-compat section says).
 */
export class SdkConnector implements UpstreamConnector, AsyncDisposable {
  /** Keep-alive connections to the HTTP upstreams, shared by every transport of this connector. */
  readonly #http = createPoolFetch();

  constructor(private readonly opts: SdkConnectorOptions) {}

  /** Closes the HTTP pools (after the sessions are closed). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#http.close();
  }

  async connect(config: McpClientConfig, events: SessionEvents, signal: AbortSignal): Promise<UpstreamSession> {
    switch (config.connection_type) {
      case 'stdio': return this.#open(config, events, this.#stdio(config), signal);
      case 'sse': return this.#open(config, events, new SSEClientTransport(new URL(required(config.connection_string)), this.#httpOptions(config)), signal);
      case 'http': {
        const url = new URL(required(config.connection_string));
        try {
          return await this.#open(config, events, new StreamableHTTPClientTransport(url, this.#httpOptions(config)), signal);
        } catch (err) {
          if (signal.aborted || !suggestsLegacySse(err instanceof Error ? (err.cause ?? err) : err)) throw err;
          return this.#open(config, events, new SSEClientTransport(url, this.#httpOptions(config)), signal);
        }
      }
    }
  }

  #stdio(config: McpClientConfig): StdioClientTransport {
    const stdio = config.stdio_config;
    if (!stdio) throw new Error(`client ${config.name} has no stdio_config`);
    return new StdioClientTransport({
      command: stdio.command,
      args: stdio.args,
      env: { ...this.opts.baseEnv, ...stdio.env },
      stderr: 'ignore',
    });
  }

  #httpOptions(config: McpClientConfig): { requestInit: RequestInit; fetch: PoolFetch['fetch'] } {
    return { requestInit: { headers: config.headers }, fetch: this.#http.fetch };
  }

  async #open(config: McpClientConfig, events: SessionEvents, transport: Transport, signal: AbortSignal): Promise<UpstreamSession> {
    const onChanged = (): void => events.onListChanged();
    const client = new Client(this.opts.clientInfo ?? { name: 'switchyard-mcp-connector', version: '0.1.0' }, {
      // Sampling and elicitation are relayed to the downstream session whose call caused them.
      capabilities: events.onRequest ? { sampling: {}, elicitation: { form: {}, url: {} } } : {},
      versionNegotiation: { mode: 'auto', probe: { timeoutMs: this.opts.probeTimeoutMs ?? 5000 } },
      listChanged: {
        tools: { autoRefresh: false, debounceMs: 50, onChanged },
        prompts: { autoRefresh: false, debounceMs: 50, onChanged },
        resources: { autoRefresh: false, debounceMs: 50, onChanged },
      },
    });
    relayServerRequests(client, events);
    const session = new SdkSession(client, transport, config.name);
    // Only a connection that was up can be lost; a failed attempt is reported by connect() itself.
    let up = false;
    client.onclose = () => { if (up && !session.closing) events.onClosed(); };
    client.onerror = () => undefined;
    const abort = (): void => void session.close();
    signal.addEventListener('abort', abort, { once: true });
    try {
      await client.connect(transport, { timeout: config.timeout_ms, signal });
      notificationsBeforeResponses(transport);
      up = true;
      // One upstream connection serves every downstream session: ask for every level and filter per session downstream.
      if (events.onLog && client.getServerCapabilities()?.logging && client.getProtocolEra() !== 'modern') {
        await client.setLoggingLevel('debug', { timeout: config.timeout_ms }).catch(() => undefined);
      }
      return session;
    } catch (err) {
      await session.closeAll();
      throw classify(err);
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }
}

/**
 * The SDK runs notification handlers a microtask late but settles responses at once, so
 * progress or a log message read in the same chunk as the response (stdio does this)
 * would be dropped. After a notification, the next response waits one macrotask, so the
 * notification reaches its call first; with no notification in between, nothing waits.
 */
function notificationsBeforeResponses(transport: Transport): void {
  const inner = transport.onmessage;
  if (!inner) return;
  let notified = false;
  transport.onmessage = (message, extra) => {
    const isRequestOrNotification = 'method' in message;
    if (isRequestOrNotification && !('id' in message)) notified = true;
    else if (notified && !isRequestOrNotification) {
      notified = false;
      setImmediate(() => inner.call(transport, message, extra));
      return;
    }
    inner.call(transport, message, extra);
  };
}

const RELAYED = ['sampling/createMessage', 'elicitation/create'] as const;

/** Upstream log messages and server-to-client requests go to the domain, which routes them to the call that caused them. */
function relayServerRequests(client: Client, events: SessionEvents): void {
  const onLog = events.onLog;
  if (onLog) client.setNotificationHandler('notifications/message', (n) => onLog(n.params as JsonObject));
  const onRequest = events.onRequest;
  if (!onRequest) return;
  for (const method of RELAYED) {
    client.setRequestHandler(method, async (request, ctx) => {
      try {
        // The downstream result passes through as the peer sent it.
        return (await onRequest(method, (request.params ?? {}) as JsonObject, ctx.mcpReq.signal)) as never;
      } catch (err) {
        if (err instanceof RpcError) throw new ProtocolError(err.body.code, err.body.message, err.body.data);
        throw err;
      }
    });
  }
}

function required(url: string | undefined): string {
  if (!url) throw new Error('connection_string is required');
  return url;
}
