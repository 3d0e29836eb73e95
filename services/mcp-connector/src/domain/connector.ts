import { createHash } from 'node:crypto';
import { SwitchyardError } from '@switchyard/errors';
import { toolPriceMicros, type McpClientConfig } from '../config.js';
import type { BackoffPolicy } from './backoff.js';
import { isToolAllowed } from './filter.js';
import type { ClientState } from './health.js';
import { ManagedClient } from './managed-client.js';
import { ToolNameMap } from './naming.js';
import { UpstreamError, type CatalogPublisher, type JsonObject, type UpstreamConnector } from './ports.js';

export interface ExposedTool {
  /** `<client>-<tool>`, stable and at most 64 characters. */
  name: string;
  client: string;
  upstreamName: string;
  /** The upstream's tool definition, untouched. */
  definition: JsonObject;
  /** On the client's tools_to_auto_execute list (and executable). */
  autoExecute: boolean;
  /** Price per call, micro-USD (the client's `tool_pricing`; 0 when free). */
  priceMicros: number;
}

export interface ClientStatus {
  name: string;
  state: ClientState;
  toolCount: number;
  era: 'legacy' | 'modern' | undefined;
  pid: number | undefined;
}

export interface McpConnectorOptions {
  clients: McpClientConfig[];
  connector: UpstreamConnector;
  publisher: CatalogPublisher;
  backoff: BackoffPolicy;
  healthIntervalMs: number;
  maxFailures: number;
  onEvent?(event: string, detail: Record<string, unknown>): void;
  random?: () => number;
}

interface Snapshot {
  tools: ExposedTool[];
  names: ToolNameMap;
  version: string;
}

/**
 * The aggregate of every upstream: one catalog of exposed tools (of the clients that
 * are serving), name resolution, and tool calls routed to the owning client.
 */
export class McpConnector implements AsyncDisposable {
  readonly #clients = new Map<string, ManagedClient>();
  readonly #publisher: CatalogPublisher;
  readonly #onEvent: McpConnectorOptions['onEvent'];
  #snapshot: Snapshot;

  constructor(opts: McpConnectorOptions) {
    this.#publisher = opts.publisher;
    this.#onEvent = opts.onEvent;
    for (const config of opts.clients) {
      this.#clients.set(config.name, new ManagedClient({
        config,
        connector: opts.connector,
        backoff: opts.backoff,
        healthIntervalMs: opts.healthIntervalMs,
        maxFailures: opts.maxFailures,
        onChange: (client) => this.#rebuild(client),
        ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
        ...(opts.random ? { random: opts.random } : {}),
      }));
    }
    this.#snapshot = this.#build();
  }

  /** Starts connecting every enabled client; does not wait for them. */
  start(): void {
    for (const client of this.#clients.values()) client.start();
  }

  /** The tools callers may use, from serving clients (optionally only `clients`). */
  listTools(clients: readonly string[] = []): { tools: ExposedTool[]; catalogVersion: string } {
    const { tools, version } = this.#snapshot;
    const only = clients.length > 0 ? new Set(clients) : undefined;
    return { tools: only ? tools.filter((t) => only.has(t.client)) : tools, catalogVersion: version };
  }

  listClients(): ClientStatus[] {
    return [...this.#clients.values()].map((c) => ({
      name: c.name,
      state: c.state,
      toolCount: c.serving ? c.catalog.tools.length : 0,
      era: c.era,
      pid: c.pid,
    }));
  }

  client(name: string): ManagedClient | undefined {
    return this.#clients.get(name);
  }

  async callTool(exposed: string, args: JsonObject, options: { signal: AbortSignal; timeoutMs?: number }): Promise<JsonObject> {
    const ref = this.#snapshot.names.resolve(exposed);
    const client = ref ? this.#clients.get(ref.client) : undefined;
    if (!ref || !client) throw new SwitchyardError('not_found', `unknown tool ${exposed}`, { code: 'mcp_tool_not_found', param: 'name' });
    if (!isToolAllowed(client.config.tools_to_execute, ref.tool)) {
      throw new SwitchyardError('permission_denied', `tool ${exposed} is not enabled for execution`, { code: 'mcp_tool_blocked', param: 'name' });
    }
    const timeoutMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : client.config.timeout_ms;
    try {
      return await client.callTool(ref.tool, args, { signal: options.signal, timeoutMs });
    } catch (err) {
      throw toCallError(err, exposed, client.name, options.signal);
    }
  }

  #build(): Snapshot {
    const names = new ToolNameMap();
    const tools: ExposedTool[] = [];
    for (const client of this.#clients.values()) {
      for (const definition of client.catalog.tools) {
        const upstreamName = typeof definition.name === 'string' ? definition.name : undefined;
        if (upstreamName === undefined) continue;
        const name = names.add(client.name, upstreamName);
        if (name === undefined) {
          this.#onEvent?.('mcp.tool.name_collision_failed', { client: client.name, tool: upstreamName });
          continue;
        }
        if (client.serving && isToolAllowed(client.config.tools_to_execute, upstreamName)) {
          const autoExecute = isToolAllowed(client.config.tools_to_auto_execute, upstreamName);
          const priceMicros = toolPriceMicros(client.config.tool_pricing, upstreamName);
          tools.push({ name, client: client.name, upstreamName, definition, autoExecute, priceMicros });
        }
      }
    }
    const hash = createHash('sha256');
    for (const t of tools) hash.update(t.name).update(t.autoExecute ? '\x01' : '\0').update(String(t.priceMicros)).update(JSON.stringify(t.definition)).update('\0');
    return { tools, names, version: hash.digest('hex').slice(0, 16) };
  }

  #rebuild(client: string): void {
    const before = this.#snapshot.version;
    this.#snapshot = this.#build();
    if (this.#snapshot.version !== before) this.#publisher.catalogChanged(client, this.#snapshot.version);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.allSettled([...this.#clients.values()].map((c) => c[Symbol.asyncDispose]()));
  }
}

function toCallError(err: unknown, tool: string, client: string, signal: AbortSignal): SwitchyardError {
  if (err instanceof SwitchyardError) return err;
  if (signal.aborted) return new SwitchyardError('cancelled', 'tool call cancelled', { cause: err });
  if (err instanceof UpstreamError) {
    switch (err.failure) {
      case 'timeout': return new SwitchyardError('upstream_timeout', `tool ${tool} timed out`, { code: 'mcp_tool_timeout', cause: err });
      case 'closed': return new SwitchyardError('unavailable', `MCP client ${client} is not connected`, { code: 'mcp_client_unavailable', cause: err });
      case 'unauthorized': return new SwitchyardError('unavailable', `MCP client ${client} needs authorization`, { code: 'mcp_client_needs_auth', cause: err });
      case 'error': return new SwitchyardError('upstream_error', `tool ${tool} failed upstream: ${err.message}`, { code: 'mcp_upstream_error', cause: err });
    }
  }
  return new SwitchyardError('upstream_error', `tool ${tool} failed upstream`, { code: 'mcp_upstream_error', cause: err });
}
