import { SwitchyardError } from '@switchyard/errors';
import type { KeyDirectory } from './ports.js';
import type { KeyPolicy } from './types.js';

export type CacheResult = 'hit' | 'miss' | 'error';

export interface PolicyCacheOptions {
  /** How long a found key is trusted without asking governance again. */
  ttlMs: number;
  /** How long an unknown hash is remembered as unknown. */
  negativeTtlMs: number;
  maxEntries: number;
  /** Milliseconds; tests pass a fake clock. */
  now?: () => number;
  onLookup?: (result: CacheResult) => void;
}

interface Entry {
  readonly policy: KeyPolicy | null;
  readonly expiresAt: number;
}

export interface PolicyCacheStats {
  entries: number;
  hits: number;
  misses: number;
  invalidations: number;
}

const noop = (): void => {};

/**
 * Key hash → policy, in memory. A hit answers synchronously; concurrent misses for one
 * hash share one governance call; a governance failure fails closed (`unavailable`) for
 * hashes not in the cache. Bounded: the least recently used entry goes first.
 * Invalidation (PolicyChanged) drops the entry and discards lookups already in flight,
 * so an answer that raced a change is never cached.
 */
export class PolicyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<KeyPolicy | null>>();
  private readonly now: () => number;
  private readonly onLookup: (result: CacheResult) => void;
  /** Bumped by every invalidation; a lookup that started in an older epoch is not cached. */
  private epoch = 0;
  private hits = 0;
  private misses = 0;
  private invalidations = 0;

  constructor(private readonly directory: Pick<KeyDirectory, 'lookup'>, private readonly options: PolicyCacheOptions) {
    this.now = options.now ?? Date.now;
    this.onLookup = options.onLookup ?? noop;
  }

  get size(): number {
    return this.entries.size;
  }

  stats(): PolicyCacheStats {
    return { entries: this.entries.size, hits: this.hits, misses: this.misses, invalidations: this.invalidations };
  }

  /** The policy for a key hash (null: no such key); synchronous on a hit. */
  get(keyHash: string): KeyPolicy | null | Promise<KeyPolicy | null> {
    const entry = this.entries.get(keyHash);
    if (entry !== undefined) {
      if (entry.expiresAt > this.now()) {
        this.hits++;
        this.onLookup('hit');
        // Most recently used goes to the back; eviction takes from the front.
        this.entries.delete(keyHash);
        this.entries.set(keyHash, entry);
        return entry.policy;
      }
      this.entries.delete(keyHash);
    }
    this.misses++;
    this.onLookup('miss');
    return this.inflight.get(keyHash) ?? this.load(keyHash);
  }

  /** Drops one hash (and any lookup in flight for it). */
  invalidate(keyHash: string): boolean {
    this.epoch++;
    this.invalidations++;
    this.inflight.delete(keyHash);
    return this.entries.delete(keyHash);
  }

  /** Drops everything; returns how many entries were dropped. */
  flush(): number {
    const dropped = this.entries.size;
    this.epoch++;
    this.invalidations += dropped;
    this.entries.clear();
    this.inflight.clear();
    return dropped;
  }

  private load(keyHash: string): Promise<KeyPolicy | null> {
    const epoch = this.epoch;
    const pending: Promise<KeyPolicy | null> = this.directory.lookup(keyHash).then(
      (policy) => {
        if (this.inflight.get(keyHash) === pending) this.inflight.delete(keyHash);
        if (epoch === this.epoch) this.store(keyHash, policy);
        return policy;
      },
      (err: unknown) => {
        if (this.inflight.get(keyHash) === pending) this.inflight.delete(keyHash);
        this.onLookup('error');
        throw new SwitchyardError('unavailable', 'authorization service unavailable', { cause: err });
      },
    );
    this.inflight.set(keyHash, pending);
    return pending;
  }

  private store(keyHash: string, policy: KeyPolicy | null): void {
    const ttl = policy === null ? this.options.negativeTtlMs : this.options.ttlMs;
    if (ttl <= 0) return;
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(keyHash, { policy, expiresAt: this.now() + ttl });
  }
}
