import type { Redis } from 'ioredis';
import { connectRedis } from './connect.js';
import { takesServerRequests, type LiveSession, type McpSessionRecord, type McpSessionStore } from '../../domain/mcp-sessions.js';

// KEYS[1] session; ARGV[1] now (ms), ARGV[2] idle TTL (ms). Never creates a key.
const TOUCH = `
if redis.call('exists', KEYS[1]) == 0 then return false end
redis.call('hset', KEYS[1], 'last_seen_at', ARGV[1])
redis.call('pexpire', KEYS[1], ARGV[2])
return redis.call('hmget', KEYS[1], 'scope', 'protocol_version', 'log_level', 'server_requests')`;

// KEYS[1] session; ARGV[1] level. Never revives an expired or deleted session.
const SET_LEVEL = `
if redis.call('exists', KEYS[1]) == 0 then return 0 end
redis.call('hset', KEYS[1], 'log_level', ARGV[1])
return 1`;

// KEYS[1] session; ARGV[1] scope. Deletes only the caller's own session.
const DELETE = `
if redis.call('hget', KEYS[1], 'scope') ~= ARGV[1] then return 0 end
return redis.call('del', KEYS[1])`;

type Scripted = Redis & {
  mcpSessionTouch(key: string, now: string, ttl: string): Promise<[string | null, string | null, string | null, string | null] | null>;
  mcpSessionSetLevel(key: string, level: string): Promise<number>;
  mcpSessionDelete(key: string, scope: string): Promise<number>;
};

export interface RedisSessionStoreOptions {
  url: string;
  /** Deployment / test-run prefix for every key. */
  keyPrefix: string;
  idleTtlMs: number;
}

const key = (id: string): string => `mcp:session:${id}`;

/**
 * Sessions as Redis hashes under `<prefix>mcp:session:<id>` with a PEXPIRE idle TTL.
 * Each operation is one round trip (a pipeline or a Lua script through EVALSHA).
 * No offline queue: with Redis away a request fails at once (503) instead of hanging.
 */
export class RedisSessionStore implements McpSessionStore {
  readonly kind = 'redis';
  readonly #redis: Scripted;

  private constructor(redis: Redis, private readonly ttlMs: number) {
    redis.defineCommand('mcpSessionTouch', { numberOfKeys: 1, lua: TOUCH });
    redis.defineCommand('mcpSessionDelete', { numberOfKeys: 1, lua: DELETE });
    redis.defineCommand('mcpSessionSetLevel', { numberOfKeys: 1, lua: SET_LEVEL });
    this.#redis = redis as Scripted;
  }

  /**
   * Connects (see `connectRedis`: an edge whose Redis is away still starts, and session
   * requests get 503 until ioredis reconnects on its own).
   */
  static async connect(opts: RedisSessionStoreOptions, onUnreachable?: (err: unknown) => void): Promise<RedisSessionStore> {
    const redis = await connectRedis(opts.url, {
      connectionName: 'switchyard-edge-mcp-sessions',
      keyPrefix: opts.keyPrefix,
      ...(onUnreachable ? { onUnavailable: onUnreachable } : {}),
    });
    return new RedisSessionStore(redis, opts.idleTtlMs);
  }

  async create(id: string, r: McpSessionRecord): Promise<void> {
    const results = await this.#redis
      .multi()
      .hset(key(id), {
        scope: r.scope,
        key_id: r.keyId,
        endpoint: r.endpoint,
        protocol_version: r.protocolVersion,
        client_info: JSON.stringify(r.clientInfo ?? null),
        capabilities: JSON.stringify(r.capabilities ?? null),
        // Read on every request (touch), so derived once here rather than parsed each time.
        server_requests: takesServerRequests(r.capabilities) ? '1' : '0',
        created_at: String(r.createdAt),
        last_seen_at: String(r.lastSeenAt),
      })
      .pexpire(key(id), this.ttlMs)
      .exec();
    const failed = results?.find(([err]) => err !== null);
    if (failed) throw failed[0];
  }

  async touch(id: string, now: number): Promise<LiveSession | undefined> {
    const got = await this.#redis.mcpSessionTouch(key(id), String(now), String(this.ttlMs));
    if (!got || got[0] === null) return undefined;
    return { scope: got[0], protocolVersion: got[1] ?? '', logLevel: got[2] ?? undefined, serverRequests: got[3] === '1' };
  }

  async setLogLevel(id: string, level: string): Promise<boolean> {
    return (await this.#redis.mcpSessionSetLevel(key(id), level)) === 1;
  }

  async delete(id: string, scope: string): Promise<boolean> {
    return (await this.#redis.mcpSessionDelete(key(id), scope)) === 1;
  }

  async get(id: string): Promise<McpSessionRecord | undefined> {
    const h = await this.#redis.hgetall(key(id));
    if (h.scope === undefined) return undefined;
    return {
      scope: h.scope,
      keyId: h.key_id ?? '',
      endpoint: h.endpoint ?? '',
      protocolVersion: h.protocol_version ?? '',
      clientInfo: JSON.parse(h.client_info ?? 'null') as unknown,
      capabilities: JSON.parse(h.capabilities ?? 'null') as unknown,
      createdAt: Number(h.created_at),
      lastSeenAt: Number(h.last_seen_at),
      ...(h.log_level === undefined ? {} : { logLevel: h.log_level }),
    };
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
