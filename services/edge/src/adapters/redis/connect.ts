import { Redis } from 'ioredis';

/** How long start waits for Redis; after that edge serves anyway and what needs Redis answers 503 until it connects. */
export const REDIS_CONNECT_WAIT_MS = 2_000;

export interface RedisClientOptions {
  /** Shown by `CLIENT LIST`. */
  connectionName: string;
  /** Prepended by ioredis to every key. */
  keyPrefix?: string;
  /** Batches commands issued in the same tick into one write. */
  autoPipelining?: boolean;
  /** Called once when Redis becomes unreachable (at start or later), and once when it is back. */
  onUnavailable?: (err: unknown) => void;
  onRecovered?: () => void;
}

/**
 * An edge Redis client. It fails fast: no offline queue and one retry per command, so a
 * request that needs Redis while it is away fails at once (503) instead of hanging. It
 * reconnects on its own with a capped backoff. Resolves once Redis is ready, or after
 * `REDIS_CONNECT_WAIT_MS`: an edge whose Redis is away still starts.
 */
export async function connectRedis(url: string, options: RedisClientOptions): Promise<Redis> {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (n) => Math.min(100 * n, 2_000),
    connectionName: options.connectionName,
    enableAutoPipelining: options.autoPipelining ?? false,
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
  });
  let down = false;
  redis.on('error', (err: unknown) => {
    if (!down) options.onUnavailable?.(err);
    down = true;
  });
  redis.on('ready', () => {
    if (down) options.onRecovered?.();
    down = false;
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => redis.once('ready', () => resolve())),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, REDIS_CONNECT_WAIT_MS); }),
  ]);
  clearTimeout(timer);
  return redis;
}
