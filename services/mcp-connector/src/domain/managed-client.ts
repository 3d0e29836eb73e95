import type { McpClientConfig } from '../config.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { SessionLanes, type LaneFallback } from './session-lanes.js';
import { INITIAL_HEALTH, isServing, nextHealth, type ClientState, type Health, type HealthEvent } from './health.js';
import { RpcError, UpstreamError, type CallObserver, type CallOptions, type JsonObject, type ToolCallOptions, type UpstreamCatalog, type UpstreamConnector, type UpstreamSession } from './ports.js';

export const EMPTY_CATALOG: UpstreamCatalog = { tools: [], resources: [], resourceTemplates: [], prompts: [] };

export interface ManagedClientOptions {
  config: McpClientConfig;
  connector: UpstreamConnector;
  backoff: BackoffPolicy;
  healthIntervalMs: number;
  maxFailures: number;
  /** The catalog or the serving state changed. */
  onChange(client: string): void;
  /** notifications/resources/updated from the upstream. */
  onResourceUpdated?(client: string, uri: string): void;
  /** Diagnostics (logging lives in the composition root). */
  onEvent?(event: string, detail: Record<string, unknown>): void;
  random?: () => number;
  /** Session lanes: the defaults for clients whose config does not set them. */
  lanes?: LaneSettings;
}

export interface LaneSettings {
  maxPerClient: number;
  idleTtlMs: number;
  onFallback?(client: string, reason: LaneFallback): void;
}

/** Without settings (unit tests of other parts): no lanes. */
const NO_LANES: LaneSettings = { maxPerClient: 0, idleTtlMs: 300_000 };

/**
 * One upstream kept alive: connects, lists its catalog, checks its health, and
 * reconnects with jittered backoff. Its failures never touch other clients.
 */
export class ManagedClient implements AsyncDisposable {
  readonly name: string;
  #health: Health;
  #session: UpstreamSession | undefined;
  #catalog: UpstreamCatalog = EMPTY_CATALOG;
  #generation = 0;
  #disposed = false;
  #checking = false;
  #connecting: Promise<void> | undefined;
  #healthTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  readonly #abort = new AbortController();
  readonly #opts: ManagedClientOptions;
  /** Tool calls in progress on this upstream (each with its observer, if it relays). */
  readonly #calls = new Set<{ observer: CallObserver | undefined }>();
  /** Upstream connections of single downstream sessions (their calls only; the catalog stays on the shared one). */
  readonly #lanes: SessionLanes;

  constructor(opts: ManagedClientOptions) {
    this.#opts = opts;
    this.name = opts.config.name;
    this.#health = opts.config.disabled ? { ...INITIAL_HEALTH, state: 'disabled' } : INITIAL_HEALTH;
    const lanes = opts.lanes ?? NO_LANES;
    this.#lanes = new SessionLanes({
      client: this.name,
      max: opts.config.max_session_connections ?? lanes.maxPerClient,
      idleTtlMs: opts.config.session_idle_ttl_ms ?? lanes.idleTtlMs,
      open: (events, signal) => opts.connector.connect(opts.config, events, signal, { era: this.era }),
      ...(lanes.onFallback ? { onFallback: (reason: LaneFallback) => lanes.onFallback?.(this.name, reason) } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
  }

  get config(): McpClientConfig { return this.#opts.config; }
  get state(): ClientState { return this.#health.state; }
  get catalog(): UpstreamCatalog { return this.#catalog; }
  get serving(): boolean { return isServing(this.#health.state) && this.#session !== undefined; }
  /** The stdio child's pid while connected. */
  get pid(): number | undefined { return this.#session?.pid; }
  get era(): 'legacy' | 'modern' | undefined { return this.#session?.era; }
  /** Session lanes open or opening. */
  get lanes(): number { return this.#lanes.size; }

  start(): void {
    if (this.#health.state === 'disabled' || this.#disposed) return;
    this.#runConnect();
  }

  /**
   * Runs a tool; with `downstreamSession`, on that session's lane when one can be had
   * (opened on first use), else on the shared connection like any other call.
   */
  async callTool(tool: string, args: JsonObject, options: ToolCallOptions, downstreamSession?: string): Promise<JsonObject> {
    const session = this.#serving();
    if (downstreamSession) {
      const lease = await this.#lanes.acquire(downstreamSession, options.observer);
      if (lease) {
        try {
          const result = await lease.session.callTool(tool, args, options);
          lease.release();
          return result;
        } catch (err) {
          lease.release(err);
          throw err;
        }
      }
    }
    const call = { observer: options.observer };
    this.#calls.add(call);
    try {
      return await session.callTool(tool, args, options);
    } finally {
      this.#calls.delete(call);
    }
  }

  /** The downstream session ended: its lane closes. */
  closeSession(downstreamSession: string): boolean {
    return this.#lanes.close(downstreamSession);
  }

  /** Forwards one request (resources/read, prompts/get, ...) to the upstream. */
  request(method: string, params: JsonObject, options: CallOptions): Promise<JsonObject> {
    return this.#serving().request(method, params, options);
  }

  #serving(): UpstreamSession {
    const session = this.#session;
    if (!session || !isServing(this.#health.state)) throw new UpstreamError('closed', `MCP client ${this.name} is ${this.#health.state}`);
    return session;
  }

  /**
   * The observer of the one tool call in progress on the shared connection. It is shared
   * and neither stdio nor the SDK client tells which request a log message or a server
   * request belongs to, so they are relayed only when exactly one call is running: never
   * to another caller's session. (Sessions that need them get lanes: session-lanes.ts.)
   */
  #soleObserver(): CallObserver | undefined {
    if (this.#calls.size !== 1) return undefined;
    const [only] = this.#calls;
    return only?.observer;
  }

  #relayLog(params: JsonObject): void {
    this.#soleObserver()?.onLog?.(params);
  }

  #relayRequest(method: string, params: JsonObject, signal: AbortSignal): Promise<JsonObject> {
    const onRequest = this.#soleObserver()?.onRequest;
    if (!onRequest) {
      return Promise.reject(new RpcError({ code: -32603, message: `${method}: no single downstream tool call to relay it to` }));
    }
    return onRequest(method, params, signal);
  }

  #apply(event: HealthEvent): void {
    const before = this.#health;
    this.#health = nextHealth(before, event, this.#opts.maxFailures);
    if (before.state !== this.#health.state) {
      this.#opts.onEvent?.('mcp.client.state', { client: this.name, from: before.state, to: this.#health.state });
      this.#opts.onChange(this.name);
    }
  }

  #runConnect(): void {
    const run = this.#connect().finally(() => { if (this.#connecting === run) this.#connecting = undefined; });
    this.#connecting = run;
  }

  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    const stale = (): boolean => this.#disposed || generation !== this.#generation;
    try {
      const session = await this.#opts.connector.connect(this.#opts.config, {
        onClosed: () => { if (!stale() && this.#session !== undefined) this.#lost('closed'); },
        onListChanged: () => { if (!stale()) void this.#refresh(); },
        onLog: (params) => this.#relayLog(params),
        onRequest: (method, params, signal) => this.#relayRequest(method, params, signal),
        onResourceUpdated: (uri) => { if (!stale()) this.#opts.onResourceUpdated?.(this.name, uri); },
      }, this.#abort.signal);
      if (stale()) { await session.close(); return; }
      this.#session = session;
      this.#catalog = await session.catalog(AbortSignal.timeout(this.#opts.config.timeout_ms));
      if (stale()) return;
      this.#apply({ type: 'connected' });
      this.#opts.onEvent?.('mcp.client.connected', { client: this.name, era: session.era, tools: this.#catalog.tools.length });
      this.#opts.onChange(this.name);
      this.#startHealthChecks();
    } catch (err) {
      if (stale()) return;
      await this.#dropSession();
      const unauthorized = err instanceof UpstreamError && err.failure === 'unauthorized';
      this.#opts.onEvent?.('mcp.client.connect_failed', { client: this.name, err });
      this.#apply({ type: 'connect_failed', unauthorized });
      if (!unauthorized) this.#scheduleReconnect();
    }
  }

  async #refresh(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    try {
      this.#catalog = await session.catalog(AbortSignal.timeout(this.#opts.config.timeout_ms));
      this.#opts.onChange(this.name);
    } catch (err) {
      this.#opts.onEvent?.('mcp.client.refresh_failed', { client: this.name, err });
    }
  }

  #startHealthChecks(): void {
    clearInterval(this.#healthTimer);
    this.#healthTimer = setInterval(() => void this.#check(), this.#opts.healthIntervalMs);
    this.#healthTimer.unref();
  }

  async #check(): Promise<void> {
    const session = this.#session;
    if (!session || this.#checking) return;
    this.#checking = true;
    const generation = this.#generation;
    try {
      const timeoutMs = Math.min(this.#opts.config.timeout_ms, this.#opts.healthIntervalMs);
      await session.check({ signal: this.#abort.signal, timeoutMs });
      if (generation === this.#generation) this.#apply({ type: 'check_ok' });
    } catch {
      if (generation !== this.#generation || this.#disposed) return;
      this.#apply({ type: 'check_failed' });
      if (this.#health.state === 'disconnected') this.#lost('check_failed');
    } finally {
      this.#checking = false;
    }
  }

  /** The connection is gone: drop it and reconnect with backoff. */
  #lost(reason: string): void {
    this.#opts.onEvent?.('mcp.client.lost', { client: this.name, reason });
    this.#generation++;
    void this.#dropSession();
    this.#apply({ type: 'closed' });
    this.#scheduleReconnect();
  }

  async #dropSession(): Promise<void> {
    clearInterval(this.#healthTimer);
    this.#healthTimer = undefined;
    const session = this.#session;
    this.#session = undefined;
    await session?.close().catch(() => undefined);
  }

  #scheduleReconnect(): void {
    if (this.#disposed) return;
    clearTimeout(this.#reconnectTimer);
    const delay = backoffDelay(this.#opts.backoff, this.#health.attempts, this.#opts.random);
    this.#reconnectTimer = setTimeout(() => {
      this.#apply({ type: 'reconnect' });
      this.#runConnect();
    }, delay);
    this.#reconnectTimer.unref();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#disposed = true;
    this.#generation++;
    clearTimeout(this.#reconnectTimer);
    this.#abort.abort();
    // A connect in flight closes its own session once it sees it is stale.
    await this.#connecting?.catch(() => undefined);
    await Promise.all([this.#dropSession(), this.#lanes[Symbol.asyncDispose]()]);
  }
}
