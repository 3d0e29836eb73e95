import { RpcError, UpstreamError, type CallObserver, type JsonObject, type SessionEvents, type UpstreamSession } from './ports.js';

/**
 * After a lane failed to connect, new lanes of this client are not tried for this long:
 * a server that cannot run twice (a lock, a port) would otherwise cost every such call a
 * failed spawn, or a connect timeout, before it falls back.
 */
export const LANE_RETRY_AFTER_MS = 30_000;

/** Why a call that asked for a lane ran on the shared connection instead. */
export type LaneFallback = 'cap' | 'connect_failed';

export interface SessionLanesOptions {
  client: string;
  /** Most lanes open (or opening) at once; 0: none. */
  max: number;
  /** A lane with no call running for this long is closed. */
  idleTtlMs: number;
  /** Opens one more upstream connection like the shared one (stdio: a new child, same command and env; HTTP: a new upstream session; same era). */
  open(events: SessionEvents, signal: AbortSignal): Promise<UpstreamSession>;
  onFallback?(reason: LaneFallback): void;
  /** Diagnostics: `mcp.lane.opened`, `mcp.lane.closed`, `mcp.lane.connect_failed`. */
  onEvent?(event: string, detail: Record<string, unknown>): void;
}

/** A call holding a lane: run it on `session`, then `release` (with the error, if it failed). */
export interface LaneLease {
  readonly session: UpstreamSession;
  release(err?: unknown): void;
}

interface LaneCall {
  readonly observer: CallObserver | undefined;
}

/** One downstream session's own connection to this upstream, and the calls it runs. */
class Lane {
  /** In start order: what the upstream emits goes to the first that can take it. */
  readonly calls = new Set<LaneCall>();
  readonly abort = new AbortController();
  /** The connection once open (undefined when its connect failed): what closing closes. */
  opened!: Promise<UpstreamSession | undefined>;
  /** The connection for calls: rejects when the connect failed or the lane closed meanwhile. */
  ready!: Promise<UpstreamSession>;
  idle: NodeJS.Timeout | undefined;
  closed = false;

  constructor(readonly id: string) {}

  /** The call that gets a log message or a server request: the running one, or the first of several. */
  target(has: (o: CallObserver) => boolean): CallObserver | undefined {
    for (const call of this.calls) if (call.observer && has(call.observer)) return call.observer;
    return undefined;
  }
}

/**
 * Session lanes of one upstream client. The shared connection cannot tell which
 * request a log message or a server-to-client request belongs to; a lane carries the
 * calls of ONE downstream session, so everything it emits belongs to that session.
 * Opened lazily on the session's first call that asks for one, reused by its later
 * calls, closed after `idleTtlMs` without a call, when the session ends, and when the
 * client is closed. At `max` lanes a call runs on the shared connection (a fallback).
 * A lane that breaks is dropped (its calls fail); the next call opens a new one. After
 * a failed connect no new lane is tried for LANE_RETRY_AFTER_MS (calls fall back).
 */
export class SessionLanes implements AsyncDisposable {
  readonly #lanes = new Map<string, Lane>();
  readonly #closing = new Set<Promise<void>>();
  readonly #opts: SessionLanesOptions;
  #disposed = false;
  /** No new lane before this time (ms since epoch): the last connect failed. */
  #retryAt = 0;

  constructor(opts: SessionLanesOptions) {
    this.#opts = opts;
  }

  /** Lanes open or opening. */
  get size(): number {
    return this.#lanes.size;
  }

  has(session: string): boolean {
    return this.#lanes.has(session);
  }

  /**
   * The session's lane for one call (opened if needed); undefined when none can be had
   * (at the cap, the connect failed, lanes off): the caller uses the shared connection.
   */
  async acquire(session: string, observer: CallObserver | undefined): Promise<LaneLease | undefined> {
    if (this.#disposed || this.#opts.max <= 0) return undefined;
    let lane = this.#lanes.get(session);
    if (!lane) {
      if (this.#lanes.size >= this.#opts.max) {
        this.#opts.onFallback?.('cap');
        return undefined;
      }
      if (Date.now() < this.#retryAt) {
        this.#opts.onFallback?.('connect_failed');
        return undefined;
      }
      lane = this.#open(session);
    }
    const call: LaneCall = { observer };
    lane.calls.add(call);
    clearTimeout(lane.idle);
    lane.idle = undefined;
    let upstream: UpstreamSession;
    try {
      upstream = await lane.ready;
    } catch {
      lane.calls.delete(call);
      this.#opts.onFallback?.('connect_failed');
      return undefined;
    }
    const held = lane;
    let released = false;
    return {
      session: upstream,
      release: (err?: unknown) => {
        if (released) return;
        released = true;
        held.calls.delete(call);
        if (held.closed) return;
        if (err instanceof UpstreamError && err.failure === 'closed') this.#drop(held, 'broken');
        else if (held.calls.size === 0) this.#idle(held);
      },
    };
  }

  /** The downstream session ended: its lane (if any) closes, its calls in flight fail. */
  close(session: string): boolean {
    const lane = this.#lanes.get(session);
    if (!lane) return false;
    this.#drop(lane, 'session_closed');
    return true;
  }

  /** Resolves once every lane closed so far has fully closed (its child exited). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#closing]);
  }

  #open(id: string): Lane {
    const lane = new Lane(id);
    const events: SessionEvents = {
      onClosed: () => { if (!lane.closed) this.#drop(lane, 'closed'); },
      // The catalog comes from the shared connection.
      onListChanged: () => undefined,
      onLog: (params: JsonObject) => lane.target((o) => o.onLog !== undefined)?.onLog?.(params),
      onRequest: (method: string, params: JsonObject, signal: AbortSignal) => {
        const observer = lane.target((o) => o.onRequest !== undefined);
        if (!observer?.onRequest) return Promise.reject(new RpcError({ code: -32603, message: `${method}: no tool call of this session is running` }));
        return observer.onRequest(method, params, signal);
      },
    };
    this.#lanes.set(id, lane);
    const opening = this.#opts.open(events, lane.abort.signal);
    lane.opened = opening.catch(() => undefined);
    lane.ready = opening.then(
      (session) => {
        if (lane.closed) {
          // #drop closes it (through `opened`).
          throw new UpstreamError('closed', `lane of MCP client ${this.#opts.client} closed while connecting`);
        }
        this.#opts.onEvent?.('mcp.lane.opened', { client: this.#opts.client, lanes: this.#lanes.size, pid: session.pid });
        return session;
      },
      (err: unknown) => {
        if (!lane.closed) {
          this.#retryAt = Date.now() + LANE_RETRY_AFTER_MS;
          this.#opts.onEvent?.('mcp.lane.connect_failed', { client: this.#opts.client, err, retryAfterMs: LANE_RETRY_AFTER_MS });
          this.#drop(lane, 'connect_failed');
        }
        throw err;
      },
    );
    lane.ready.catch(() => undefined);
    return lane;
  }

  #idle(lane: Lane): void {
    clearTimeout(lane.idle);
    lane.idle = setTimeout(() => { if (lane.calls.size === 0) this.#drop(lane, 'idle'); }, this.#opts.idleTtlMs);
    lane.idle.unref();
  }

  #drop(lane: Lane, reason: string): void {
    if (this.#lanes.get(lane.id) === lane) this.#lanes.delete(lane.id);
    if (lane.closed) return;
    lane.closed = true;
    clearTimeout(lane.idle);
    lane.abort.abort();
    if (reason !== 'connect_failed') this.#opts.onEvent?.('mcp.lane.closed', { client: this.#opts.client, reason, lanes: this.#lanes.size });
    // A connect in flight is aborted and closes its own session; an open one is closed here.
    const done: Promise<void> = lane.opened.then((s) => s?.close()).catch(() => undefined).finally(() => this.#closing.delete(done));
    this.#closing.add(done);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#disposed = true;
    for (const lane of [...this.#lanes.values()]) this.#drop(lane, 'client_closed');
    await this.settled();
  }
}
