import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import {
  KeyService, hashSecret, type KeyPatch, type KeyPosition, type KeyRecord, type KeyStore, type PolicyChange,
} from '../../src/domain/index.js';

/** An in-memory KeyStore with the same semantics as PgKeyStore (soft deletes, keyset order). */
class MemoryKeyStore implements KeyStore {
  readonly rows = new Map<string, KeyRecord & { deletedAt?: Date }>();
  failNextWrite = false;

  private live(): KeyRecord[] {
    return [...this.rows.values()].filter((r) => !r.deletedAt);
  }
  private write(): void {
    if (this.failNextWrite) { this.failNextWrite = false; throw new Error('db down'); }
  }
  async insert(record: KeyRecord): Promise<void> { this.write(); this.rows.set(record.id, { ...record }); }
  async findByHash(hash: string): Promise<KeyRecord | undefined> { return this.live().find((r) => r.keyHash === hash); }
  async findById(id: string): Promise<KeyRecord | undefined> { return this.live().find((r) => r.id === id); }
  async list({ limit, after }: { limit: number; after: KeyPosition | undefined }): Promise<KeyRecord[]> {
    const key = (r: { createdAt: Date; id: string }): string => `${String(r.createdAt.getTime()).padStart(15, '0')}|${r.id}`;
    return this.live().sort((a, b) => key(a).localeCompare(key(b))).filter((r) => !after || key(r) > key(after)).slice(0, limit);
  }
  async update(id: string, patch: KeyPatch, updatedAt: Date): Promise<KeyRecord | undefined> {
    this.write();
    const row = this.rows.get(id);
    if (!row || row.deletedAt) return undefined;
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    if (patch.expiresAt !== undefined) row.expiresAt = patch.expiresAt ?? undefined;
    if (patch.allowedModels !== undefined) row.allowedModels = patch.allowedModels;
    row.updatedAt = updatedAt;
    return { ...row };
  }
  async softDelete(id: string, at: Date): Promise<KeyRecord | undefined> {
    this.write();
    const row = this.rows.get(id);
    if (!row || row.deletedAt) return undefined;
    row.deletedAt = at;
    return { ...row };
  }
  async count(): Promise<number> { return this.live().length; }
}

function setup() {
  const store = new MemoryKeyStore();
  const events: PolicyChange[] = [];
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const keys = new KeyService({
    store,
    publisher: { publish: (c) => events.push(c) },
    teams: { findById: async () => undefined },
    customers: { findById: async () => undefined },
    chains: { chainOf: async (k) => ({ teamId: k.teamId, customerId: k.customerId, groups: [] }) },
    now: () => new Date(clock++),
  });
  return { store, events, keys };
}

const input = { name: 'ci', enabled: true, expiresAt: undefined, allowedModels: ['openai/*'], teamId: undefined, customerId: undefined, allowedProviders: ['*'], mcpTools: undefined };

describe('KeyService', () => {
  it('creates a key whose secret is stored only as its hash, and announces it', async () => {
    const { store, events, keys } = setup();
    const { key, secret } = await keys.create(input);
    const row = store.rows.get(key.id)!;
    expect(row.keyHash).toBe(hashSecret(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.keyPrefix).toBe(secret.slice(0, 10));
    expect(events).toEqual([{ kind: 'key', id: key.id, keyHash: hashSecret(secret) }]);
  });

  it('announces nothing when the write fails', async () => {
    const { store, events, keys } = setup();
    const { key } = await keys.create(input);
    events.length = 0;
    store.failNextWrite = true;
    await expect(keys.update(key.id, { enabled: false, clearExpiresAt: false, allowedModels: [], setAllowedModels: false })).rejects.toThrow('db down');
    store.failNextWrite = true;
    await expect(keys.create(input)).rejects.toThrow('db down');
    expect(events).toEqual([]);
  });

  it('pages through every key exactly once', async () => {
    const { keys } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await keys.create({ ...input, name: `k${i}` })).key.id);
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const page = await keys.list({ limit: 3, cursor });
      seen.push(...page.keys.map((k) => k.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== '');
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it('hides deleted keys and says not_found for them', async () => {
    const { events, keys } = setup();
    const { key } = await keys.create(input);
    await keys.delete(key.id);
    expect(events.at(-1)).toEqual({ kind: 'key', id: key.id, keyHash: key.keyHash });
    expect(await keys.lookup(key.keyHash)).toBeUndefined();
    expect(await keys.count()).toBe(0);
    await expect(keys.get(key.id)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(keys.delete(key.id)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('rejects a malformed hash on lookup', async () => {
    const { keys } = setup();
    const err = await keys.lookup('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwitchyardError);
    expect(err).toMatchObject({ kind: 'invalid_argument', param: 'key_hash' });
  });
});
