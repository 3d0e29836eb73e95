import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { KeyPatch, KeyPosition, KeyRecord, KeyStore } from '../../domain/index.js';
import { dropAttachments, withSlugs } from './attached-groups.js';
import type { GovernanceTables, VirtualKeysTable } from './schema.js';

type Row = Selectable<VirtualKeysTable>;

const COLUMNS = [
  'id', 'name', 'key_hash', 'key_prefix', 'enabled', 'expires_at', 'allowed_models', 'created_at', 'updated_at',
  'team_id', 'customer_id', 'allowed_providers', 'mcp_tools',
] as const;

function toRecord(row: Pick<Row, (typeof COLUMNS)[number]>): KeyRecord {
  return {
    id: row.id,
    name: row.name,
    keyHash: row.key_hash,
    keyPrefix: row.key_prefix,
    enabled: row.enabled,
    expiresAt: row.expires_at ?? undefined,
    allowedModels: [...row.allowed_models],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    teamId: row.team_id ?? undefined,
    customerId: row.customer_id ?? undefined,
    allowedProviders: [...row.allowed_providers],
    mcpTools: row.mcp_tools ?? undefined,
    toolGroups: [],
  };
}

/** Virtual keys in Postgres (or PGlite): the `virtual_keys` table, soft deletes. */
export class PgKeyStore implements KeyStore {
  constructor(private readonly db: Kysely<GovernanceTables>) {}

  async insert(record: KeyRecord): Promise<void> {
    await this.db
      .insertInto('virtual_keys')
      .values({
        id: record.id,
        name: record.name,
        key_hash: record.keyHash,
        key_prefix: record.keyPrefix,
        enabled: record.enabled,
        expires_at: record.expiresAt ?? null,
        allowed_models: record.allowedModels,
        created_at: record.createdAt,
        updated_at: record.updatedAt,
        deleted_at: null,
        team_id: record.teamId ?? null,
        customer_id: record.customerId ?? null,
        allowed_providers: record.allowedProviders,
        mcp_tools: record.mcpTools === undefined ? null : JSON.stringify(record.mcpTools),
      })
      .execute();
  }

  async findByHash(keyHash: string): Promise<KeyRecord | undefined> {
    const row = await this.db
      .selectFrom('virtual_keys')
      .select(COLUMNS)
      .where('key_hash', '=', keyHash)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row && this.one(toRecord(row));
  }

  private async one(record: KeyRecord): Promise<KeyRecord> {
    return (await withSlugs(this.db, 'key', [record]))[0]!;
  }

  async findById(id: string): Promise<KeyRecord | undefined> {
    const row = await this.db
      .selectFrom('virtual_keys')
      .select(COLUMNS)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row && this.one(toRecord(row));
  }

  async list(options: { limit: number; after: KeyPosition | undefined }): Promise<KeyRecord[]> {
    const { after } = options;
    let query = this.db.selectFrom('virtual_keys').select(COLUMNS).where('deleted_at', 'is', null);
    if (after) {
      query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after.createdAt, after.id)));
    }
    const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit).execute();
    return withSlugs(this.db, 'key', rows.map(toRecord));
  }

  async update(id: string, patch: KeyPatch, updatedAt: Date): Promise<KeyRecord | undefined> {
    const set: Updateable<VirtualKeysTable> = { updated_at: updatedAt };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    if (patch.expiresAt !== undefined) set.expires_at = patch.expiresAt;
    if (patch.allowedModels !== undefined) set.allowed_models = patch.allowedModels;
    if (patch.teamId !== undefined) set.team_id = patch.teamId;
    if (patch.customerId !== undefined) set.customer_id = patch.customerId;
    if (patch.allowedProviders !== undefined) set.allowed_providers = patch.allowedProviders;
    if (patch.mcpTools !== undefined) set.mcp_tools = patch.mcpTools === null ? null : JSON.stringify(patch.mcpTools);
    const row = await this.db
      .updateTable('virtual_keys')
      .set(set)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returning(COLUMNS)
      .executeTakeFirst();
    return row && this.one(toRecord(row));
  }

  async softDelete(id: string, deletedAt: Date): Promise<KeyRecord | undefined> {
    const row = await this.db
      .updateTable('virtual_keys')
      .set({ deleted_at: deletedAt, updated_at: deletedAt })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .returning(COLUMNS)
      .executeTakeFirst();
    if (row) await dropAttachments(this.db, 'key', id);
    return row && toRecord(row);
  }

  async count(): Promise<number> {
    const result = await this.db
      .selectFrom('virtual_keys')
      .select(sql<string>`count(*)`.as('n'))
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(result.n);
  }
}
