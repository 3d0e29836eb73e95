import { describe, expect, it } from 'vitest';
import { compileModelPatterns } from '@switchyard/config';
import { PolicyCache, type CacheResult } from '../../src/domain/policy-cache.js';
import type { KeyPolicy } from '../../src/domain/types.js';

const policyFor = (keyId: string): KeyPolicy => ({
  keyId, enabled: true, expiresAtMs: Number.POSITIVE_INFINITY, allowedModels: ['*'], models: compileModelPatterns(['*']),
});

interface Deferred { resolve(p: KeyPolicy | null): void; reject(e: unknown): void }

/** A directory whose answers the test controls; `known` hashes resolve at once unless `manual`. */
function setup(options: { ttlMs?: number; negativeTtlMs?: number; maxEntries?: number; manual?: boolean } = {}) {
  let now = 1_000;
  const calls: string[] = [];
  const pending: Deferred[] = [];
  const results: CacheResult[] = [];
  const directory = {
    lookup: (hash: string): Promise<KeyPolicy | null> => {
      calls.push(hash);
      if (options.manual) return new Promise((resolve, reject) => pending.push({ resolve, reject }));
      if (hash === 'down') return Promise.reject(new Error('governance down'));
      return Promise.resolve(hash.startsWith('known') ? policyFor(hash) : null);
    },
  };
  const cache = new PolicyCache(directory, {
    ttlMs: options.ttlMs ?? 60_000, negativeTtlMs: options.negativeTtlMs ?? 5_000, maxEntries: options.maxEntries ?? 100,
    now: () => now, onLookup: (r) => results.push(r),
  });
  return { cache, calls, pending, results, advance: (ms: number) => { now += ms; } };
}

describe('PolicyCache', () => {
  it('answers a hit synchronously until the TTL passes', async () => {
    const { cache, calls, advance, results } = setup({ ttlMs: 1_000 });
    expect(await cache.get('known-a')).toMatchObject({ keyId: 'known-a' });
    expect(cache.get('known-a')).toMatchObject({ keyId: 'known-a' });
    advance(999);
    expect(cache.get('known-a')).not.toBeInstanceOf(Promise);
    advance(1);
    expect(cache.get('known-a')).toBeInstanceOf(Promise);
    expect(calls).toEqual(['known-a', 'known-a']);
    expect(results).toEqual(['miss', 'hit', 'hit', 'miss']);
  });

  it('remembers unknown hashes for the negative TTL only', async () => {
    const { cache, calls, advance } = setup({ negativeTtlMs: 100 });
    expect(await cache.get('nobody')).toBeNull();
    expect(cache.get('nobody')).toBeNull();
    advance(100);
    expect(await cache.get('nobody')).toBeNull();
    expect(calls).toEqual(['nobody', 'nobody']);
  });

  it('evicts the least recently used entry when full', async () => {
    const { cache, calls } = setup({ maxEntries: 2 });
    await cache.get('known-1');
    await cache.get('known-2');
    cache.get('known-1'); // 1 is now more recent than 2
    await cache.get('known-3'); // evicts 2
    expect(cache.size).toBe(2);
    expect(cache.get('known-1')).not.toBeInstanceOf(Promise);
    expect(cache.get('known-3')).not.toBeInstanceOf(Promise);
    await cache.get('known-2');
    expect(calls.filter((c) => c === 'known-2')).toHaveLength(2);
  });

  it('coalesces concurrent misses for one hash into one lookup', async () => {
    const { cache, calls, pending } = setup({ manual: true });
    const all = Promise.all([cache.get('known-x'), cache.get('known-x'), cache.get('known-x')]);
    expect(calls).toEqual(['known-x']);
    pending[0]!.resolve(policyFor('known-x'));
    expect((await all).map((p) => p?.keyId)).toEqual(['known-x', 'known-x', 'known-x']);
    expect(cache.get('known-x')).not.toBeInstanceOf(Promise);
  });

  it('fails closed with unavailable when governance cannot answer, and caches nothing', async () => {
    const { cache, calls, results } = setup();
    await expect(cache.get('down')).rejects.toMatchObject({ kind: 'unavailable', message: 'authorization service unavailable' });
    await expect(cache.get('down')).rejects.toMatchObject({ kind: 'unavailable' });
    expect(calls).toEqual(['down', 'down']);
    expect(results).toEqual(['miss', 'error', 'miss', 'error']);
  });

  it('invalidation drops the entry; a lookup that raced an invalidation is not cached', async () => {
    const { cache, calls, pending } = setup({ manual: true });
    const first = cache.get('known-k');
    cache.invalidate('known-k'); // e.g. the key was disabled while we were asking
    pending[0]!.resolve(policyFor('known-k')); // the stale answer
    await first;
    const again = cache.get('known-k');
    expect(again).toBeInstanceOf(Promise);
    expect(calls).toEqual(['known-k', 'known-k']);
    pending[1]!.resolve(null);
    expect(await again).toBeNull();
    expect(cache.stats()).toMatchObject({ invalidations: 1, entries: 1 });
  });

  it('flush drops everything and reports how many', async () => {
    const { cache } = setup();
    await cache.get('known-1');
    await cache.get('known-2');
    expect(cache.flush()).toBe(2);
    expect(cache.size).toBe(0);
    expect(cache.stats()).toEqual({ entries: 0, hits: 0, misses: 2, invalidations: 2 });
  });
});
