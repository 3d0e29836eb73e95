import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { freePort, startProcess, testEnv, testIds, type StartedProcess } from '@switchyard/testing';
import { Counters, RedisCounterDriver, type Limits } from '../../src/index.js';
import { counterContract, FakeLedger } from '../contract.js';

const env = testEnv();
const ids = testIds('limits_redis');
const shared = new Redis(env.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
let run = 0;

async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

afterAll(async () => {
  await deletePrefix(shared, ids.redisPrefix);
  shared.disconnect();
});

counterContract('redis', () => {
  const prefix = `${ids.redisPrefix}${++run}:`;
  const driver = new RedisCounterDriver(shared, prefix);
  return { driver: () => driver, lose: () => deletePrefix(shared, prefix) };
});

describe('redis counters: a restarted redis-server', () => {
  let server: StartedProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  const startRedis = (port: number): Promise<StartedProcess> =>
    startProcess({ command: 'redis-server', args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], readyLog: /Ready to accept connections/, timeoutMs: 10_000 });

  it('fails fast while Redis is down, then rebuilds budgets from the ledger and reloads its scripts', async () => {
    const port = await freePort();
    server = await startRedis(port);
    // Production settings: no offline queue, so a request fails at once while Redis is away.
    const redis = new Redis({ port, host: '127.0.0.1', enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    const ledger = new FakeLedger();
    const counters = new Counters({ driver: new RedisCounterDriver(redis, ids.redisPrefix), ledger });
    const limits: Limits = {
      budgets: [{ id: 'b1', entityKind: 'key', entityId: 'k', limitMicros: 1_000, period: '1h' }],
      rateLimits: [{ id: 'r1', entityKind: 'key', entityId: 'k', unit: 'requests', limit: 100, period: '1h' }],
    };
    const a = await counters.reserve(limits, { costMicros: 300, tokens: 0, llm: true });
    if (!a.ok) throw new Error('expected a reservation');
    await counters.settle(a.reservation, { costMicros: 250, tokens: 0 });
    expect((await counters.values(limits))[0]!.used).toBe(250);
    // In flight across the restart:
    const inflight = await counters.reserve(limits, { costMicros: 100, tokens: 0, llm: true });
    if (!inflight.ok) throw new Error('expected a reservation');

    await server.stop('SIGKILL');
    await expect(counters.reserve(limits, { costMicros: 1, tokens: 0, llm: true })).rejects.toThrow();

    server = await startRedis(port);
    await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve())));
    // The ledger (Postgres in production) has the settled 250 by now.
    const window = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    ledger.rows.set(`b1@${window}`, 250);
    const reads = ledger.reads;
    const b = await counters.reserve(limits, { costMicros: 700, tokens: 0, llm: true });
    expect(ledger.reads).toBe(reads + 1);
    expect(b.ok).toBe(true); // 250 + 700 <= 1000
    expect((await counters.reserve(limits, { costMicros: 100, tokens: 0, llm: true })).ok).toBe(false);
    // The reservation from before the restart settles in full into the rebuilt counter.
    await counters.settle(inflight.reservation, { costMicros: 40, tokens: 0 });
    expect((await counters.values(limits))[0]!.used).toBe(990);
    redis.disconnect();
  });
});
