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

/** A resource one or more sessions subscribed to (`resources/subscribe`), by owning client and URI. */
export interface SubscribedResource {
  client: string;
  uri: string;
}

/**
 * Resource subscriptions, kept with the session (so they expire with it) and indexed by
 * resource (so any replica finds the subscribers of an update). The answers drive the
 * reference count of the upstream subscription: subscribe upstream for the first
 * subscriber, unsubscribe when the last one leaves.
 */
export interface ResourceSubscriptionStore {
  /** `first`: nobody else (live) was subscribed; `more`: others were, or this session already was; `gone`: no such session. */
  addSubscription(id: string, resource: SubscribedResource): Promise<'first' | 'more' | 'gone'>;
  /** `last`: it was the last (live) subscriber; `more`: others remain, or this session was not subscribed. */
  removeSubscription(id: string, resource: SubscribedResource): Promise<'last' | 'more'>;
  /** Removes every subscription of a session that is ending: the resources it was the last subscriber of. */
  dropSubscriptions(id: string): Promise<SubscribedResource[]>;
  /** The live sessions subscribed to a resource; `emptied` when only expired ones were left (they are forgotten). */
  subscribers(resource: SubscribedResource): Promise<{ ids: string[]; emptied: boolean }>;
}

/**
 * Shared session state, so that any edge replica serves any session and DELETE
 * revokes it everywhere: Redis in a cluster, memory in one process. Every record
 * expires after the idle TTL unless a request touches it.
 */
export interface McpSessionStore extends AsyncDisposable, ResourceSubscriptionStore {
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
  readonly #sessions = new Map<string, { record: McpSessionRecord; expiresAt: number; resources?: Set<string> }>();
  /** `<client>\0<uri>` → subscribed session ids. */
  readonly #subscribers = new Map<string, Set<string>>();
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

  async addSubscription(id: string, r: SubscribedResource): Promise<'first' | 'more' | 'gone'> {
    const entry = this.#live(id);
    if (!entry) return 'gone';
    const key = resourceKey(r);
    (entry.resources ??= new Set()).add(key);
    const ids = this.#liveSubscribers(key);
    if (ids.has(id)) return 'more';
    ids.add(id);
    this.#subscribers.set(key, ids);
    return ids.size === 1 ? 'first' : 'more';
  }

  async removeSubscription(id: string, r: SubscribedResource): Promise<'last' | 'more'> {
    const key = resourceKey(r);
    this.#live(id)?.resources?.delete(key);
    const ids = this.#liveSubscribers(key);
    if (!ids.delete(id)) return 'more';
    if (ids.size > 0) return 'more';
    this.#subscribers.delete(key);
    return 'last';
  }

  async dropSubscriptions(id: string): Promise<SubscribedResource[]> {
    const left: SubscribedResource[] = [];
    for (const key of this.#sessions.get(id)?.resources ?? []) {
      const resource = fromResourceKey(key);
      if ((await this.removeSubscription(id, resource)) === 'last') left.push(resource);
    }
    return left;
  }

  async subscribers(r: SubscribedResource): Promise<{ ids: string[]; emptied: boolean }> {
    const key = resourceKey(r);
    const had = this.#subscribers.has(key);
    const ids = this.#liveSubscribers(key);
    if (ids.size === 0) this.#subscribers.delete(key);
    return { ids: [...ids], emptied: had && ids.size === 0 };
  }

  /** The subscribers of a resource, expired sessions dropped. */
  #liveSubscribers(key: string): Set<string> {
    const ids = this.#subscribers.get(key) ?? new Set<string>();
    for (const sid of ids) if (!this.#live(sid)) ids.delete(sid);
    return ids;
  }

  async ping(): Promise<void> {}

  get size(): number {
    return this.#sessions.size;
  }

  #live(id: string): { record: McpSessionRecord; expiresAt: number; resources?: Set<string> } | undefined {
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
    this.#subscribers.clear();
  }
}

/** `<client>\0<uri>`: a resource as one string (set members, hash fields). */
export function resourceKey(r: SubscribedResource): string {
  return `${r.client}\0${r.uri}`;
}

export function fromResourceKey(key: string): SubscribedResource {
  const at = key.indexOf('\0');
  return { client: key.slice(0, at), uri: key.slice(at + 1) };
}
