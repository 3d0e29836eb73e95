import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { testEnv, testIds } from '@switchyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../../src/adapters/redis/redis-session-store.js';

const { redisUrl } = testEnv();

// The /mcp session store against the real Redis, under this run's own key prefix.
describe('RedisSessionStore', () => {
  const ids = testIds('edge_sessions');
  let a: RedisSessionStore;
  let b: RedisSessionStore;
  let raw: Redis;

  beforeAll(async () => {
    // Two stores = two edge replicas sharing one Redis.
    a = await RedisSessionStore.connect({ url: redisUrl, keyPrefix: ids.redisPrefix, idleTtlMs: 1_500 });
    b = await RedisSessionStore.connect({ url: redisUrl, keyPrefix: ids.redisPrefix, idleTtlMs: 1_500 });
    raw = new Redis(redisUrl);
  });
  afterAll(async () => {
    const keys = await raw.keys(`${ids.redisPrefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
    await a?.[Symbol.asyncDispose]();
    await b?.[Symbol.asyncDispose]();
  });

  const record = (scope: string) => ({
    scope, keyId: 'key-1', endpoint: '/mcp', protocolVersion: '2025-06-18',
    clientInfo: { name: 'inspector', version: '1' }, capabilities: { sampling: {} }, createdAt: 1, lastSeenAt: 1,
  });

  it('stores the whole record under the prefix with the idle TTL; the other replica reads it', async () => {
    await a.create('s1', record('key-1\0'));
    expect(await raw.pttl(`${ids.redisPrefix}mcp:session:s1`)).toBeGreaterThan(0);
    expect(await b.get('s1')).toEqual(record('key-1\0'));
    expect(await b.touch('s1', 42)).toEqual({ scope: 'key-1\0', protocolVersion: '2025-06-18', serverRequests: true });
    expect((await a.get('s1'))?.lastSeenAt).toBe(42);
  });

  it('touch keeps a used session alive past the TTL and an idle one expires', async () => {
    await a.create('s2', record('key-1\0'));
    await a.create('idle', record('key-1\0'));
    for (let i = 0; i < 4; i++) {
      await sleep(500);
      expect(await (i % 2 ? a : b).touch('s2', Date.now()), `touch ${i}`).toBeDefined();
    }
    // 2 s in (TTL 1.5 s): the untouched one is gone, without ever being recreated by a touch.
    expect(await a.touch('idle', Date.now())).toBeUndefined();
    expect(await raw.exists(`${ids.redisPrefix}mcp:session:idle`)).toBe(0);
  });

  it('keeps the log level in the record: set on one replica, returned by the other one\'s touch; never revives a gone session', async () => {
    await a.create('lv', record('key-1\0'));
    expect((await b.touch('lv', 5))?.logLevel).toBeUndefined();
    expect(await a.setLogLevel('lv', 'warning')).toBe(true);
    expect(await b.touch('lv', 6)).toEqual({ scope: 'key-1\0', protocolVersion: '2025-06-18', logLevel: 'warning', serverRequests: true });
    expect((await b.get('lv'))?.logLevel).toBe('warning');
    expect(await a.setLogLevel('never-created', 'error')).toBe(false);
    expect(await raw.exists(`${ids.redisPrefix}mcp:session:never-created`)).toBe(0);
  });

  it('touch tells whether the client declared sampling, elicitation or roots (what decides a session lane)', async () => {
    await a.create('caps-none', { ...record('key-1\0'), capabilities: { experimental: {} } });
    await a.create('caps-roots', { ...record('key-1\0'), capabilities: { roots: { listChanged: true } } });
    expect((await b.touch('caps-none', 1))?.serverRequests).toBe(false);
    expect((await b.touch('caps-roots', 1))?.serverRequests).toBe(true);
  });

  it('DELETE on one replica revokes the session on the other; only the owner may delete', async () => {
    await a.create('s3', record('key-1\0'));
    expect(await b.delete('s3', 'key-2\0')).toBe(false);
    expect(await b.delete('s3', 'key-1\0')).toBe(true);
    expect(await a.touch('s3', Date.now())).toBeUndefined();
    expect(await a.delete('s3', 'key-1\0')).toBe(false);
  });
});
