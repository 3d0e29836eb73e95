import { SwitchyardError } from '@switchyard/errors';
import { newKeyId } from './ids.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { generateSecret, hashSecret, isKeyHash, secretPrefix } from './secret.js';
import { validateId, validateKeyPatch, validateNewKey, validatePageSize, type KeyUpdateRequest } from './validation.js';
import type { KeyPatch, KeyRecord, NewKeyInput } from './keys.js';
import { resolvePolicy, type ResolvedPolicy } from './policy-resolution.js';
import type { ChainStore, CustomerStore, KeyStore, PolicyPublisher, TeamStore } from './ports.js';
import { validateOwner } from './validation.js';

export interface KeyServiceDeps {
  store: KeyStore;
  publisher: PolicyPublisher;
  /** Where keys may belong: checked on create and update. */
  teams: Pick<TeamStore, 'findById'>;
  customers: Pick<CustomerStore, 'findById'>;
  /** The key -> team -> customer chain and the groups it reaches (LookupKey). */
  chains: ChainStore;
  /** The clock (tests pin it). */
  now?: () => Date;
}

export interface CreatedKey {
  key: KeyRecord;
  /** Shown this once; only its hash is stored. */
  secret: string;
}

export interface ListedKeys {
  keys: KeyRecord[];
  /** Empty on the last page. */
  nextCursor: string;
}

function notFound(id: string): SwitchyardError {
  return new SwitchyardError('not_found', `no virtual key with id "${id}"`, { param: 'id' });
}

/** Timestamps are kept to the millisecond, as the database stores them. */
function wholeMillis(date: Date): Date {
  return new Date(date.getTime());
}

/**
 * Virtual-key use cases. Every committed change is followed by a PolicyChanged
 * event so that edge replicas drop their cached entry.
 */
export class KeyService {
  private readonly store: KeyStore;
  private readonly publisher: PolicyPublisher;
  private readonly now: () => Date;

  constructor(private readonly deps: KeyServiceDeps) {
    this.store = deps.store;
    this.publisher = deps.publisher;
    this.now = deps.now ?? (() => new Date());
  }

  /** The live key with this hash, even if disabled or expired (edge decides and says why), and its resolved policy. */
  async lookup(keyHash: string): Promise<{ key: KeyRecord; policy: ResolvedPolicy } | undefined> {
    if (!isKeyHash(keyHash)) {
      throw new SwitchyardError('invalid_argument', 'key_hash must be a lowercase hex SHA-256', { param: 'key_hash' });
    }
    const key = await this.store.findByHash(keyHash);
    if (!key) return undefined;
    return { key, policy: resolvePolicy(key, await this.deps.chains.chainOf(key)) };
  }

  /** Both owners exist (a key names at most one, validated before). */
  private async checkOwners(teamId: string | null | undefined, customerId: string | null | undefined): Promise<void> {
    if (teamId && !(await this.deps.teams.findById(teamId))) {
      throw new SwitchyardError('invalid_argument', `no team with id "${teamId}"`, { param: 'team_id', code: 'team_not_found' });
    }
    if (customerId && !(await this.deps.customers.findById(customerId))) {
      throw new SwitchyardError('invalid_argument', `no customer with id "${customerId}"`, { param: 'customer_id', code: 'customer_not_found' });
    }
  }

  count(): Promise<number> {
    return this.store.count();
  }

  async create(input: NewKeyInput): Promise<CreatedKey> {
    const now = wholeMillis(this.now());
    const valid = validateNewKey(input, now);
    await this.checkOwners(valid.teamId, valid.customerId);
    const secret = generateSecret();
    const key: KeyRecord = {
      id: newKeyId(now),
      name: valid.name,
      keyHash: hashSecret(secret),
      keyPrefix: secretPrefix(secret),
      enabled: valid.enabled,
      expiresAt: valid.expiresAt,
      allowedModels: valid.allowedModels,
      createdAt: now,
      updatedAt: now,
      teamId: valid.teamId,
      customerId: valid.customerId,
      allowedProviders: valid.allowedProviders,
      mcpTools: valid.mcpTools,
      toolGroups: [],
    };
    await this.store.insert(key);
    this.publisher.publish({ kind: 'key', id: key.id, keyHash: key.keyHash });
    return { key, secret };
  }

  async list(options: { limit: number; cursor: string }): Promise<ListedKeys> {
    const limit = validatePageSize(options.limit);
    const after = options.cursor === '' ? undefined : decodeCursor(options.cursor);
    const rows = await this.store.list({ limit: limit + 1, after });
    const keys = rows.slice(0, limit);
    const last = keys[keys.length - 1];
    const more = rows.length > limit && last !== undefined;
    return { keys, nextCursor: more ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : '' };
  }

  async get(id: string): Promise<KeyRecord> {
    const key = await this.store.findById(validateId(id));
    if (!key) throw notFound(id);
    return key;
  }

  async update(id: string, request: KeyUpdateRequest): Promise<KeyRecord> {
    validateId(id);
    const patch = validateKeyPatch(request);
    if (patch.teamId !== undefined || patch.customerId !== undefined) await this.checkOwnerChange(id, patch);
    const key = await this.store.update(id, patch, wholeMillis(this.now()));
    if (!key) throw notFound(id);
    this.publisher.publish({ kind: 'key', id: key.id, keyHash: key.keyHash });
    return key;
  }

  /** The key's owners after the patch: at most one, and each must exist. */
  private async checkOwnerChange(id: string, patch: KeyPatch): Promise<void> {
    const current = await this.store.findById(id);
    if (!current) throw notFound(id);
    const teamId = patch.teamId === undefined ? current.teamId : patch.teamId ?? undefined;
    const customerId = patch.customerId === undefined ? current.customerId : patch.customerId ?? undefined;
    validateOwner(teamId, customerId);
    await this.checkOwners(patch.teamId, patch.customerId);
  }

  /** Soft delete: the row stays for audit, the key never authenticates again. */
  async delete(id: string): Promise<void> {
    const key = await this.store.softDelete(validateId(id), wholeMillis(this.now()));
    if (!key) throw notFound(id);
    this.publisher.publish({ kind: 'key', id: key.id, keyHash: key.keyHash });
  }
}
