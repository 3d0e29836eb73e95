import type { KeyPatch, KeyPosition, KeyRecord } from './keys.js';

/** Persistence of virtual keys. Deleted keys are invisible to every read. */
export interface KeyStore {
  insert(record: KeyRecord): Promise<void>;
  /** The live key with this hash (disabled and expired ones included). */
  findByHash(keyHash: string): Promise<KeyRecord | undefined>;
  findById(id: string): Promise<KeyRecord | undefined>;
  /** Live keys ordered by (created_at, id), strictly after `after`. */
  list(options: { limit: number; after: KeyPosition | undefined }): Promise<KeyRecord[]>;
  /** Applies the patch to a live key; undefined when there is none. */
  update(id: string, patch: KeyPatch, updatedAt: Date): Promise<KeyRecord | undefined>;
  /** Marks a live key deleted; returns it as it was, or undefined when there is none. */
  softDelete(id: string, deletedAt: Date): Promise<KeyRecord | undefined>;
  /** How many live keys exist. */
  count(): Promise<number>;
}

/**
 * What a policy change is about. Teams, customers, budgets, rate limits and tool
 * groups join this union as they arrive.
 */
export type PolicyKind = 'key' | 'budget' | 'rate_limit';

export interface PolicyChange {
  kind: PolicyKind;
  id: string;
  /** For keys: the hash, so caches drop the entry without a lookup. */
  keyHash?: string;
}

/** Tells every replica that a policy changed. Fire and forget: it never throws. */
export interface PolicyPublisher {
  publish(change: PolicyChange): void;
}
