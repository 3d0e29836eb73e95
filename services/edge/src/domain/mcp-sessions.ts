/** What the gateway remembers about one legacy `/mcp` session (Mcp-Session-Id). */
export interface McpSessionRecord {
  /** The key id and endpoint the session is bound to (also inside the signed id). */
  scope: string;
  keyId: string;
  /** `/mcp` or `/mcp/clients/<name>`. */
  endpoint: string;
  protocolVersion: string;
  /** The initialize request's clientInfo and capabilities, as sent. */
  clientInfo: unknown;
  capabilities: unknown;
  createdAt: number;
  lastSeenAt: number;
  /** `logging/setLevel`: the minimum level of log messages relayed to this session; absent: every level. */
  logLevel?: string | undefined;
}

/** The parts a request needs: checked in the same round trip that refreshes the idle TTL. */
export interface LiveSession {
  scope: string;
  protocolVersion: string;
  logLevel: string | undefined;
  /** The client declared `sampling`, `elicitation` or `roots` at initialize (it takes server-to-client requests). */
  serverRequests: boolean;
}

/** The initialize capabilities that make a client take server-to-client requests. */
export function takesServerRequests(capabilities: unknown): boolean {
  if (typeof capabilities !== 'object' || capabilities === null) return false;
  const c = capabilities as Record<string, unknown>;
  return [c.sampling, c.elicitation, c.roots].some((v) => typeof v === 'object' && v !== null);
}

/**
 * Whether a streamed tools/call of this session runs on its own upstream connection (a
 * session lane in mcp-connector), so that log messages and server-to-client requests
 * reach exactly this session: when the client takes server requests or set a log level.
 * Other calls share the client's one connection (no extra connection, no extra work).
 */
export function needsLane(session: LiveSession): boolean {
  return session.serverRequests || session.logLevel !== undefined;
}

/**
 * Shared session state, so that any edge replica serves any session and DELETE
 * revokes it everywhere: Redis in a cluster, memory in one process. Every record
 * expires after the idle TTL unless a request touches it.
 */
export interface McpSessionStore extends AsyncDisposable {
  readonly kind: 'redis' | 'memory';
  create(id: string, record: McpSessionRecord): Promise<void>;
  /** Refreshes last-seen and the idle TTL; undefined when unknown, expired or deleted. One round trip. */
  touch(id: string, now: number): Promise<LiveSession | undefined>;
  /** Records the session's log level (`logging/setLevel`); false when the session is gone. One round trip. */
  setLogLevel(id: string, level: string): Promise<boolean>;
  /** Deletes the session if it exists and belongs to `scope`; false otherwise. One round trip. */
  delete(id: string, scope: string): Promise<boolean>;
  /** The whole record (diagnostics, tests). */
  get(id: string): Promise<McpSessionRecord | undefined>;
  ping(): Promise<void>;
}

/** The in-process store (embedded mode without REDIS_URL): the same semantics, this process only. */
export class MemorySessionStore implements McpSessionStore {
  readonly kind = 'memory';
  readonly #sessions = new Map<string, { record: McpSessionRecord; expiresAt: number }>();
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now) {
    this.#timer = setInterval(() => this.#sweep(), Math.min(ttlMs, 60_000));
    this.#timer.unref();
  }

  async create(id: string, record: McpSessionRecord): Promise<void> {
    this.#sessions.set(id, { record: { ...record }, expiresAt: this.now() + this.ttlMs });
  }

  async touch(id: string, now: number): Promise<LiveSession | undefined> {
    const entry = this.#live(id);
    if (!entry) return undefined;
    entry.record.lastSeenAt = now;
    entry.expiresAt = this.now() + this.ttlMs;
    const r = entry.record;
    return { scope: r.scope, protocolVersion: r.protocolVersion, logLevel: r.logLevel, serverRequests: takesServerRequests(r.capabilities) };
  }

  async setLogLevel(id: string, level: string): Promise<boolean> {
    const entry = this.#live(id);
    if (!entry) return false;
    entry.record.logLevel = level;
    return true;
  }

  async delete(id: string, scope: string): Promise<boolean> {
    const entry = this.#live(id);
    if (!entry || entry.record.scope !== scope) return false;
    return this.#sessions.delete(id);
  }

  async get(id: string): Promise<McpSessionRecord | undefined> {
    const entry = this.#live(id);
    return entry ? { ...entry.record } : undefined;
  }

  async ping(): Promise<void> {}

  get size(): number {
    return this.#sessions.size;
  }

  #live(id: string): { record: McpSessionRecord; expiresAt: number } | undefined {
    const entry = this.#sessions.get(id);
    if (entry && entry.expiresAt <= this.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = this.now();
    for (const [id, e] of this.#sessions) if (e.expiresAt <= now) this.#sessions.delete(id);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    clearInterval(this.#timer);
    this.#sessions.clear();
  }
}
