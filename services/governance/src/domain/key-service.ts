import { SwitchyardError } from '@switchyard/errors';
import { newKeyId } from './ids.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { generateSecret, hashSecret, isKeyHash, secretPrefix } from './secret.js';
import { validateId, validateKeyPatch, validateNewKey, validatePageSize, type KeyUpdateRequest } from './validation.js';
import type { KeyRecord, NewKeyInput } from './keys.js';
import type { KeyStore, PolicyPublisher } from './ports.js';

export interface KeyServiceDeps {
  store: KeyStore;
  publisher: PolicyPublisher;
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

  constructor(deps: KeyServiceDeps) {
    this.store = deps.store;
    this.publisher = deps.publisher;
    this.now = deps.now ?? (() => new Date());
  }

  /** The live key with this hash, even if disabled or expired (edge decides and says why). */
  async lookup(keyHash: string): Promise<KeyRecord | undefined> {
    if (!isKeyHash(keyHash)) {
      throw new SwitchyardError('invalid_argument', 'key_hash must be a lowercase hex SHA-256', { param: 'key_hash' });
    }
    return this.store.findByHash(keyHash);
  }

  count(): Promise<number> {
    return this.store.count();
  }

  async create(input: NewKeyInput): Promise<CreatedKey> {
    const now = wholeMillis(this.now());
    const valid = validateNewKey(input, now);
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
    const key = await this.store.update(id, patch, wholeMillis(this.now()));
    if (!key) throw notFound(id);
    this.publisher.publish({ kind: 'key', id: key.id, keyHash: key.keyHash });
    return key;
  }

  /** Soft delete: the row stays for audit, the key never authenticates again. */
  async delete(id: string): Promise<void> {
    const key = await this.store.softDelete(validateId(id), wholeMillis(this.now()));
    if (!key) throw notFound(id);
    this.publisher.publish({ kind: 'key', id: key.id, keyHash: key.keyHash });
  }
}
