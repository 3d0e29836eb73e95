import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { testEnv, testIds } from '@switchyard/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../../src/adapters/redis/redis-session-store.js';
import { MemorySessionStore, type McpSessionStore } from '../../src/domain/mcp-sessions.js';

const { redisUrl } = testEnv();
const ids = testIds('edge_rsubs');
const TTL = 1_500;
const stores: McpSessionStore[] = [];

afterAll(async () => {
  const raw = new Redis(redisUrl);
  const keys = await raw.keys(`${ids.redisPrefix}*`);
  if (keys.length > 0) await raw.del(...keys);
  raw.disconnect();
  for (const s of stores) await s[Symbol.asyncDispose]();
});

/** Two replicas' views of one store: the same Redis twice, or the one process's memory. */
async function pair(kind: 'redis' | 'memory'): Promise<[McpSessionStore, McpSessionStore]> {
  if (kind === 'memory') {
    const one = new MemorySessionStore(TTL);
    stores.push(one);
    return [one, one];
  }
  const made = await Promise.all([0, 1].map(() => RedisSessionStore.connect({ url: redisUrl, keyPrefix: ids.redisPrefix, idleTtlMs: TTL })));
  stores.push(...made);
  return [made[0]!, made[1]!];
}

const record = { scope: 'k\0', keyId: 'k', endpoint: '/mcp', protocolVersion: '2025-11-25', clientInfo: null, capabilities: null, createdAt: 1, lastSeenAt: 1 };
const watched = { client: 'conf', uri: 'test://watched-resource' };
const other = { client: 'conf', uri: 'test://other' };

// Resource subscriptions kept with the session: the reference count of the upstream
// subscription (first in, last out), across replicas, and expiry with the session.
describe.each(['redis', 'memory'] as const)('%s session store: resource subscriptions', (kind) => {
  it('counts subscribers across replicas: first subscribe and last unsubscribe are told apart', async () => {
    const [a, b] = await pair(kind);
    await a.create(`${kind}-s1`, record);
    await a.create(`${kind}-s2`, record);
    expect(await a.addSubscription(`${kind}-s1`, watched)).toBe('first');
    expect(await a.addSubscription(`${kind}-s1`, watched)).toBe('more');
    expect(await b.addSubscription(`${kind}-s2`, watched)).toBe('more');
    expect(await b.addSubscription(`${kind}-s2`, other)).toBe('first');
    expect(await a.addSubscription(`${kind}-none`, watched)).toBe('gone');
    expect((await b.subscribers(watched)).ids.sort()).toEqual([`${kind}-s1`, `${kind}-s2`]);
    expect(await b.removeSubscription(`${kind}-s1`, watched)).toBe('more');
    expect(await b.removeSubscription(`${kind}-s1`, watched)).toBe('more');
    expect(await a.subscribers(watched)).toEqual({ ids: [`${kind}-s2`], emptied: false });
    // The session ends: what it held alone is handed back for the upstream unsubscribe.
    expect(await a.dropSubscriptions(`${kind}-s2`)).toEqual(expect.arrayContaining([watched, other]));
    expect(await b.subscribers(watched)).toEqual({ ids: [], emptied: false });
  });

  it('a session that expires leaves its subscriptions: the next lookup forgets them and says the resource emptied', async () => {
    const [a, b] = await pair(kind);
    await a.create(`${kind}-s3`, record);
    expect(await a.addSubscription(`${kind}-s3`, { client: 'x', uri: 'u://expiring' })).toBe('first');
    await sleep(TTL + 300);
    expect(await b.subscribers({ client: 'x', uri: 'u://expiring' })).toEqual({ ids: [], emptied: true });
    expect(await b.subscribers({ client: 'x', uri: 'u://expiring' })).toEqual({ ids: [], emptied: false });
    // A new subscriber after that is the first again.
    await b.create(`${kind}-s4`, record);
    expect(await b.addSubscription(`${kind}-s4`, { client: 'x', uri: 'u://expiring' })).toBe('first');
  });
});
