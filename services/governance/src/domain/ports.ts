import type {
  Attachment, CustomerRecord, KeyChain, TeamPatch, TeamRecord, ToolGroupPatch, ToolGroupRecord,
} from './entities.js';
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

/** A page request over (created_at, id). */
export interface PageQuery {
  limit: number;
  after: KeyPosition | undefined;
}

/** What a delete found: done, nothing to delete, or something still belongs to it. */
export type DeleteOutcome = 'deleted' | 'not_found' | 'in_use';

export interface CustomerStore {
  insert(record: CustomerRecord): Promise<void>;
  findById(id: string): Promise<CustomerRecord | undefined>;
  list(query: PageQuery): Promise<CustomerRecord[]>;
  rename(id: string, name: string, updatedAt: Date): Promise<CustomerRecord | undefined>;
  /** Refused (`in_use`) while teams or live keys belong to it; its group attachments go with it. */
  delete(id: string): Promise<DeleteOutcome>;
}

export interface TeamStore {
  insert(record: TeamRecord): Promise<void>;
  findById(id: string): Promise<TeamRecord | undefined>;
  list(query: PageQuery & { customerId: string | undefined }): Promise<TeamRecord[]>;
  update(id: string, patch: TeamPatch, updatedAt: Date): Promise<TeamRecord | undefined>;
  /** Refused (`in_use`) while live keys belong to it; its group attachments go with it. */
  delete(id: string): Promise<DeleteOutcome>;
}

export interface ToolGroupStore {
  /** Rejects with `conflict` when the slug is taken. */
  insert(record: ToolGroupRecord): Promise<void>;
  /** By id (`tg_...`) or slug. */
  find(idOrSlug: string): Promise<ToolGroupRecord | undefined>;
  list(query: PageQuery): Promise<ToolGroupRecord[]>;
  update(id: string, patch: ToolGroupPatch, updatedAt: Date): Promise<ToolGroupRecord | undefined>;
  delete(id: string): Promise<boolean>;
  /** Whether the entity an attachment names exists (live keys only). */
  entityExists(attachment: Attachment): Promise<boolean>;
  /** True when it was not attached before. */
  attach(groupId: string, attachment: Attachment, at: Date): Promise<boolean>;
  /** True when it was attached. */
  detach(groupId: string, attachment: Attachment): Promise<boolean>;
}

/** Resolves where a key sits (its chain) for LookupKey. */
export interface ChainStore {
  chainOf(key: Pick<KeyRecord, 'id' | 'teamId' | 'customerId'>): Promise<KeyChain>;
}

/**
 * What a policy change is about. Budgets and rate limits join this union.
 * Edge drops one cache entry for a key (by hash) and flushes its cache for the others.
 */
export type PolicyKind = 'key' | 'team' | 'customer' | 'tool_group' | 'budget' | 'rate_limit';

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
