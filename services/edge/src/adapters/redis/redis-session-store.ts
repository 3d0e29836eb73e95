import type { Redis } from 'ioredis';
import { connectRedis } from './connect.js';
import { fromResourceKey, resourceKey, takesServerRequests, type LiveSession, type McpSessionRecord, type McpSessionStore, type SubscribedResource } from '../../domain/mcp-sessions.js';

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

// Resource subscriptions: a hash field `rsub:<client>\0<uri>` in the session (expires with it)
// and a set `mcp:rsub:<client>\0<uri>` of session ids. ARGV[3] is the full session key prefix,
// so the scripts can tell expired members (whose hash is gone) and forget them.
const FORGET_DEAD = `
local function forget_dead(set, keep, prefix)
  for _, m in ipairs(redis.call('smembers', set)) do
    if m ~= keep and redis.call('exists', prefix .. m) == 0 then redis.call('srem', set, m) end
  end
end`;

// KEYS[1] session, KEYS[2] resource set; ARGV[1] session id, ARGV[2] field, ARGV[3] prefix.
// -1: no session; 2: first live subscriber; 1 or 0: others were there, or it already was.
const SUB_ADD = `${FORGET_DEAD}
if redis.call('exists', KEYS[1]) == 0 then return -1 end
redis.call('hset', KEYS[1], ARGV[2], '1')
forget_dead(KEYS[2], ARGV[1], ARGV[3])
local added = redis.call('sadd', KEYS[2], ARGV[1])
if added == 1 and redis.call('scard', KEYS[2]) == 1 then return 2 end
return added`;

// Same keys and args. 2: it was the last live subscriber; 1: others remain; 0: it was not subscribed.
const SUB_REMOVE = `${FORGET_DEAD}
redis.call('hdel', KEYS[1], ARGV[2])
if redis.call('srem', KEYS[2], ARGV[1]) == 0 then return 0 end
forget_dead(KEYS[2], '', ARGV[3])
if redis.call('scard', KEYS[2]) == 0 then return 2 end
return 1`;

// KEYS[1] resource set; ARGV[1] prefix. { emptied (0/1), live ids... }.
const SUBSCRIBERS = `${FORGET_DEAD}
local had = redis.call('scard', KEYS[1])
forget_dead(KEYS[1], '', ARGV[1])
local ids = redis.call('smembers', KEYS[1])
local out = { (had > 0 and #ids == 0) and '1' or '0' }
for _, m in ipairs(ids) do out[#out + 1] = m end
return out`;

type Scripted = Redis & {
  mcpSubAdd(session: string, set: string, id: string, field: string, prefix: string): Promise<number>;
  mcpSubRemove(session: string, set: string, id: string, field: string, prefix: string): Promise<number>;
  mcpSubscribers(set: string, prefix: string): Promise<string[]>;
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
const FIELD = 'rsub:';
const setKey = (r: SubscribedResource): string => `mcp:rsub:${resourceKey(r)}`;

/**
 * Sessions as Redis hashes under `<prefix>mcp:session:<id>` with a PEXPIRE idle TTL.
 * Each operation is one round trip (a pipeline or a Lua script through EVALSHA).
 * No offline queue: with Redis away a request fails at once (503) instead of hanging.
 */
export class RedisSessionStore implements McpSessionStore {
  readonly kind = 'redis';
  readonly #redis: Scripted;

  /** The full key prefix of session hashes (ioredis prefixes KEYS, not keys a script builds). */
  readonly #sessionPrefix: string;

  private constructor(redis: Redis, private readonly ttlMs: number, keyPrefix: string) {
    this.#sessionPrefix = `${keyPrefix}mcp:session:`;
    redis.defineCommand('mcpSubAdd', { numberOfKeys: 2, lua: SUB_ADD });
    redis.defineCommand('mcpSubRemove', { numberOfKeys: 2, lua: SUB_REMOVE });
    redis.defineCommand('mcpSubscribers', { numberOfKeys: 1, lua: SUBSCRIBERS });
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
    return new RedisSessionStore(redis, opts.idleTtlMs, opts.keyPrefix);
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

  async addSubscription(id: string, r: SubscribedResource): Promise<'first' | 'more' | 'gone'> {
    const got = await this.#redis.mcpSubAdd(key(id), setKey(r), id, FIELD + resourceKey(r), this.#sessionPrefix);
    return got === -1 ? 'gone' : got === 2 ? 'first' : 'more';
  }

  async removeSubscription(id: string, r: SubscribedResource): Promise<'last' | 'more'> {
    return (await this.#redis.mcpSubRemove(key(id), setKey(r), id, FIELD + resourceKey(r), this.#sessionPrefix)) === 2 ? 'last' : 'more';
  }

  async dropSubscriptions(id: string): Promise<SubscribedResource[]> {
    const left: SubscribedResource[] = [];
    for (const field of await this.#redis.hkeys(key(id))) {
      if (!field.startsWith(FIELD)) continue;
      const resource = fromResourceKey(field.slice(FIELD.length));
      if ((await this.removeSubscription(id, resource)) === 'last') left.push(resource);
    }
    return left;
  }

  async subscribers(r: SubscribedResource): Promise<{ ids: string[]; emptied: boolean }> {
    const [emptied, ...ids] = await this.#redis.mcpSubscribers(setKey(r), this.#sessionPrefix);
    return { ids, emptied: emptied === '1' };
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
