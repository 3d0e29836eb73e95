import { createHash } from 'node:crypto';
import { SwitchyardError } from '@switchyard/errors';
import { toolPriceMicros, type McpClientConfig } from '../config.js';
import type { BackoffPolicy } from './backoff.js';
import { stableJson } from './client-store.js';
import { isToolAllowed } from './filter.js';
import type { ClientState } from './health.js';
import { ManagedClient, type LaneSettings } from './managed-client.js';
import { ToolNameMap } from './naming.js';
import { RpcError, UpstreamError, type CatalogPublisher, type JsonObject, type ResourceUpdatePublisher, type ToolCallOptions, type UpstreamConnector } from './ports.js';

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

/** A resource, resource template or prompt of one client. */
export interface CatalogEntry {
  client: string;
  /** Prompts: `<client>-<prompt>` (named like tools); resources: the URI; templates: the URI template. */
  name: string;
  /** The prompt name or URI on the upstream. */
  upstreamName: string;
  definition: JsonObject;
}

export interface CatalogLists {
  resources: CatalogEntry[];
  resourceTemplates: CatalogEntry[];
  prompts: CatalogEntry[];
}

/** Requests edge may forward to one client's upstream as they are. */
export const FORWARDED_METHODS: ReadonlySet<string> = new Set([
  'resources/read', 'resources/subscribe', 'resources/unsubscribe', 'prompts/get', 'completion/complete',
]);

export interface ClientStatus {
  name: string;
  state: ClientState;
  toolCount: number;
  era: 'legacy' | 'modern' | undefined;
  pid: number | undefined;
  /** Session lanes open or opening. */
  lanes: number;
}

export interface McpConnectorOptions {
  clients: McpClientConfig[];
  connector: UpstreamConnector;
  publisher: CatalogPublisher;
  /** Where upstream `notifications/resources/updated` go (absent: dropped). */
  resourceUpdates?: ResourceUpdatePublisher;
  backoff: BackoffPolicy;
  healthIntervalMs: number;
  maxFailures: number;
  onEvent?(event: string, detail: Record<string, unknown>): void;
  random?: () => number;
  /** Session lanes (defaults for every client; a client's config may override them). Absent: none. */
  lanes?: LaneSettings;
}

interface Snapshot extends CatalogLists {
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
  readonly #opts: McpConnectorOptions;
  #snapshot: Snapshot;
  #started = false;
  #disposed = false;
  /** Clients being closed in the background (a stdio child may take a moment to exit). */
  readonly #closing = new Set<Promise<void>>();

  constructor(opts: McpConnectorOptions) {
    this.#opts = opts;
    this.#publisher = opts.publisher;
    this.#onEvent = opts.onEvent;
    for (const config of opts.clients) this.#clients.set(config.name, this.#managed(config));
    this.#snapshot = this.#build();
  }

  #managed(config: McpClientConfig): ManagedClient {
    const opts = this.#opts;
    const client: ManagedClient = new ManagedClient({
      config,
      connector: opts.connector,
      backoff: opts.backoff,
      healthIntervalMs: opts.healthIntervalMs,
      maxFailures: opts.maxFailures,
      // A replaced client's late events must not touch the catalog.
      onChange: (name) => { if (this.#clients.get(name) === client) this.#rebuild(name); },
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      ...(opts.random ? { random: opts.random } : {}),
      ...(opts.lanes ? { lanes: opts.lanes } : {}),
      ...(opts.resourceUpdates ? { onResourceUpdated: (name: string, uri: string) => { if (this.#clients.get(name) === client) opts.resourceUpdates!.resourceUpdated(name, uri); } } : {}),
    });
    return client;
  }

  /** Starts connecting every enabled client; does not wait for them. */
  start(): void {
    this.#started = true;
    for (const client of this.#clients.values()) client.start();
  }

  /**
   * Makes the running clients match `configs`: connects new ones, reconnects changed
   * ones, closes removed ones. Closing runs in the background (a stdio child gets a
   * grace period, then signals); `settled()` and dispose wait for it.
   */
  async reconcile(configs: readonly McpClientConfig[]): Promise<void> {
    if (this.#disposed) return;
    const wanted = new Map(configs.map((c) => [c.name, c]));
    const closing: ManagedClient[] = [];
    const touched: string[] = [];
    for (const [name, client] of this.#clients) {
      const next = wanted.get(name);
      if (next === undefined || stableJson(next) !== stableJson(client.config)) {
        this.#clients.delete(name);
        closing.push(client);
        touched.push(name);
        this.#onEvent?.(next === undefined ? 'mcp.client.removed' : 'mcp.client.changed', { client: name });
      }
    }
    for (const [name, config] of wanted) {
      if (this.#clients.has(name)) continue;
      const client = this.#managed(config);
      this.#clients.set(name, client);
      touched.push(name);
      if (this.#started) client.start();
    }
    if (touched.length > 0) this.#rebuild(touched[0] ?? '');
    for (const c of closing) this.#close(c);
  }

  /** Resolves once every client closed by reconcile or reconnect is fully closed. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#closing]);
  }

  #close(client: ManagedClient): void {
    const done: Promise<void> = client[Symbol.asyncDispose]().catch(() => undefined).finally(() => this.#closing.delete(done));
    this.#closing.add(done);
  }

  /** Closes the client's connection and opens a new one; false when there is no such client. */
  async reconnect(name: string): Promise<boolean> {
    const old = this.#clients.get(name);
    if (!old || this.#disposed) return false;
    const client = this.#managed(old.config);
    this.#clients.set(name, client);
    this.#rebuild(name);
    this.#close(old);
    if (this.#started) client.start();
    return true;
  }

  /** The tools callers may use, from serving clients (optionally only `clients`). */
  listTools(clients: readonly string[] = []): { tools: ExposedTool[]; catalogVersion: string } {
    const { tools, version } = this.#snapshot;
    const only = clients.length > 0 ? new Set(clients) : undefined;
    return { tools: only ? tools.filter((t) => only.has(t.client)) : tools, catalogVersion: version };
  }

  /** Resources, templates and prompts of serving clients (optionally only `clients`). */
  listCatalog(clients: readonly string[] = []): CatalogLists & { catalogVersion: string } {
    const only = clients.length > 0 ? new Set(clients) : undefined;
    const pick = (items: CatalogEntry[]): CatalogEntry[] => (only ? items.filter((i) => only.has(i.client)) : items);
    const s = this.#snapshot;
    return { resources: pick(s.resources), resourceTemplates: pick(s.resourceTemplates), prompts: pick(s.prompts), catalogVersion: s.version };
  }

  /** Forwards one of FORWARDED_METHODS to `client`; a JSON-RPC error from the upstream rejects with RpcError, untouched. */
  async forward(client: string, method: string, params: JsonObject, options: { signal: AbortSignal; timeoutMs?: number }): Promise<JsonObject> {
    if (!FORWARDED_METHODS.has(method)) throw new SwitchyardError('invalid_argument', `method ${method} is not forwarded`, { param: 'method' });
    const c = this.#clients.get(client);
    if (!c) throw new SwitchyardError('not_found', `unknown MCP client ${client}`, { code: 'mcp_client_not_found', param: 'client' });
    const timeoutMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : c.config.timeout_ms;
    try {
      return await c.request(method, params, { signal: options.signal, timeoutMs });
    } catch (err) {
      if (err instanceof RpcError) throw err;
      throw toCallError(err, method, client, options.signal);
    }
  }

  listClients(): ClientStatus[] {
    return [...this.#clients.values()].map((c) => ({
      name: c.name,
      state: c.state,
      toolCount: c.serving ? c.catalog.tools.length : 0,
      era: c.era,
      pid: c.pid,
      lanes: c.lanes,
    }));
  }

  /** A downstream session ended: every client closes its lane for it. */
  closeSession(downstreamSession: string): number {
    let closed = 0;
    for (const c of this.#clients.values()) if (c.closeSession(downstreamSession)) closed++;
    return closed;
  }

  client(name: string): ManagedClient | undefined {
    return this.#clients.get(name);
  }

  /** With `session` (a downstream session id), the call runs on that session's lane when the client can give it one. */
  async callTool(exposed: string, args: JsonObject, options: { signal: AbortSignal; timeoutMs?: number; session?: string } & Pick<ToolCallOptions, 'observer' | 'meta'>): Promise<JsonObject> {
    const ref = this.#snapshot.names.resolve(exposed);
    const client = ref ? this.#clients.get(ref.client) : undefined;
    if (!ref || !client) throw new SwitchyardError('not_found', `unknown tool ${exposed}`, { code: 'mcp_tool_not_found', param: 'name' });
    if (!isToolAllowed(client.config.tools_to_execute, ref.tool)) {
      throw new SwitchyardError('permission_denied', `tool ${exposed} is not enabled for execution`, { code: 'mcp_tool_blocked', param: 'name' });
    }
    const timeoutMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : client.config.timeout_ms;
    try {
      return await client.callTool(ref.tool, args, {
        signal: options.signal, timeoutMs,
        ...(options.observer ? { observer: options.observer } : {}),
        ...(options.meta ? { meta: options.meta } : {}),
      }, options.session);
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
    const lists = this.#buildLists();
    const hash = createHash('sha256');
    for (const t of tools) hash.update(t.name).update(t.autoExecute ? '\x01' : '\0').update(String(t.priceMicros)).update(JSON.stringify(t.definition)).update('\0');
    for (const kind of [lists.resources, lists.resourceTemplates, lists.prompts]) {
      hash.update('\x02');
      for (const e of kind) hash.update(e.client).update('\0').update(JSON.stringify(e.definition)).update('\0');
    }
    return { tools, names, version: hash.digest('hex').slice(0, 16), ...lists };
  }

  /** Resources keep their URIs (with the owning client); prompts are named `<client>-<prompt>` like tools. */
  #buildLists(): CatalogLists {
    const lists: CatalogLists = { resources: [], resourceTemplates: [], prompts: [] };
    const promptNames = new ToolNameMap();
    for (const client of this.#clients.values()) {
      if (!client.serving) continue;
      const { resources, resourceTemplates, prompts } = client.catalog;
      for (const definition of resources) {
        if (typeof definition.uri === 'string') lists.resources.push({ client: client.name, name: definition.uri, upstreamName: definition.uri, definition });
      }
      for (const definition of resourceTemplates) {
        const t = definition.uriTemplate;
        if (typeof t === 'string') lists.resourceTemplates.push({ client: client.name, name: t, upstreamName: t, definition });
      }
      for (const definition of prompts) {
        if (typeof definition.name !== 'string') continue;
        const name = promptNames.add(client.name, definition.name);
        if (name !== undefined) lists.prompts.push({ client: client.name, name, upstreamName: definition.name, definition });
      }
    }
    return lists;
  }

  #rebuild(client: string): void {
    const before = this.#snapshot.version;
    this.#snapshot = this.#build();
    if (this.#snapshot.version !== before) this.#publisher.catalogChanged(client, this.#snapshot.version);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#disposed = true;
    await this.settled();
    await Promise.allSettled([...this.#clients.values()].map((c) => c[Symbol.asyncDispose]()));
  }
}

function toCallError(err: unknown, tool: string, client: string, signal: AbortSignal): SwitchyardError {
  if (err instanceof SwitchyardError) return err;
  if (err instanceof RpcError && !signal.aborted) {
    return new SwitchyardError('upstream_error', `tool ${tool} failed upstream: MCP error ${err.body.code}: ${err.body.message}`, { code: 'mcp_upstream_error', cause: err });
  }
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
