import { SwitchyardError } from '@switchyard/errors';
import { type Kysely, type Selectable, type Updateable } from 'kysely';
import {
  entriesAllowList, type Attachment, type ChainStore, type KeyChain, type KeyRecord, type PageQuery, type ReachableGroup,
  type ToolGroupPatch, type ToolGroupRecord, type ToolGroupStore,
} from '../../domain/index.js';
import type { GovernanceTables, ToolGroupsTable } from './schema.js';

const COLUMNS = ['id', 'slug', 'name', 'description', 'enabled', 'tools', 'created_at', 'updated_at'] as const;
type Row = Pick<Selectable<ToolGroupsTable>, (typeof COLUMNS)[number]>;

const GROUP_ID = /^tg_[0-9A-Z]{26}$/;

function toRecord(row: Row): ToolGroupRecord {
  return {
    id: row.id, slug: row.slug, name: row.name, description: row.description, enabled: row.enabled,
    tools: row.tools.map((e) => ({ client: e.client, tools: [...e.tools] })),
    attachments: [], createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** Tool groups and their attachments in Postgres (or PGlite); also resolves a key's chain. */
export class PgToolGroupStore implements ToolGroupStore, ChainStore {
  constructor(private readonly db: Kysely<GovernanceTables>) {}

  async insert(record: ToolGroupRecord): Promise<void> {
    try {
      await this.db.insertInto('tool_groups').values({
        id: record.id, slug: record.slug, name: record.name, description: record.description, enabled: record.enabled,
        tools: JSON.stringify(record.tools), created_at: record.createdAt, updated_at: record.updatedAt,
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new SwitchyardError('conflict', `a tool group with slug "${record.slug}" exists`, { param: 'slug', code: 'slug_taken' });
      throw err;
    }
  }

  async find(idOrSlug: string): Promise<ToolGroupRecord | undefined> {
    const column = GROUP_ID.test(idOrSlug) ? 'id' : 'slug';
    const row = await this.db.selectFrom('tool_groups').select(COLUMNS).where(column, '=', idOrSlug).executeTakeFirst();
    return row && (await this.withAttachments([toRecord(row)]))[0];
  }

  async list(query: PageQuery): Promise<ToolGroupRecord[]> {
    let q = this.db.selectFrom('tool_groups').select(COLUMNS);
    const { after } = query;
    if (after) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after.createdAt, after.id)));
    const rows = await q.orderBy('created_at').orderBy('id').limit(query.limit).execute();
    return this.withAttachments(rows.map(toRecord));
  }

  async update(id: string, patch: ToolGroupPatch, updatedAt: Date): Promise<ToolGroupRecord | undefined> {
    const set: Updateable<ToolGroupsTable> = { updated_at: updatedAt };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    if (patch.tools !== undefined) set.tools = JSON.stringify(patch.tools);
    const row = await this.db.updateTable('tool_groups').set(set).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
    return row && (await this.withAttachments([toRecord(row)]))[0];
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('tool_groups').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async entityExists(attachment: Attachment): Promise<boolean> {
    const id = attachment.entityId;
    switch (attachment.entityKind) {
      case 'key':
        return (await this.db.selectFrom('virtual_keys').select('id').where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()) !== undefined;
      case 'team':
        return (await this.db.selectFrom('teams').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
      case 'customer':
        return (await this.db.selectFrom('customers').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    }
  }

  async attach(groupId: string, attachment: Attachment, at: Date): Promise<boolean> {
    const result = await this.db
      .insertInto('tool_group_attachments')
      .values({ group_id: groupId, entity_kind: attachment.entityKind, entity_id: attachment.entityId, created_at: at })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async detach(groupId: string, attachment: Attachment): Promise<boolean> {
    const result = await this.db
      .deleteFrom('tool_group_attachments')
      .where('group_id', '=', groupId)
      .where('entity_kind', '=', attachment.entityKind)
      .where('entity_id', '=', attachment.entityId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * The key's team and customer (a team's customer when the key has none of its own)
   * and the enabled groups attached anywhere on that chain, in slug order.
   */
  async chainOf(key: Pick<KeyRecord, 'id' | 'teamId' | 'customerId'>): Promise<KeyChain> {
    let customerId = key.customerId;
    if (key.teamId !== undefined && customerId === undefined) {
      const team = await this.db.selectFrom('teams').select('customer_id').where('id', '=', key.teamId).executeTakeFirst();
      customerId = team?.customer_id ?? undefined;
    }
    const rows = await this.db
      .selectFrom('tool_group_attachments as a')
      .innerJoin('tool_groups as g', 'g.id', 'a.group_id')
      .select(['g.slug', 'g.tools'])
      .distinct()
      .where('g.enabled', '=', true)
      .where((eb) => {
        const on = [eb.and([eb('a.entity_kind', '=', 'key'), eb('a.entity_id', '=', key.id)])];
        if (key.teamId !== undefined) on.push(eb.and([eb('a.entity_kind', '=', 'team'), eb('a.entity_id', '=', key.teamId)]));
        if (customerId !== undefined) on.push(eb.and([eb('a.entity_kind', '=', 'customer'), eb('a.entity_id', '=', customerId)]));
        return eb.or(on);
      })
      .orderBy('g.slug')
      .execute();
    const groups: ReachableGroup[] = rows.map((r) => ({ slug: r.slug, tools: entriesAllowList(r.tools) }));
    return { teamId: key.teamId, customerId, groups };
  }

  private async withAttachments(records: ToolGroupRecord[]): Promise<ToolGroupRecord[]> {
    if (records.length === 0) return records;
    const rows = await this.db
      .selectFrom('tool_group_attachments')
      .select(['group_id', 'entity_kind', 'entity_id'])
      .where('group_id', 'in', records.map((r) => r.id))
      .orderBy('created_at')
      .orderBy('entity_kind')
      .orderBy('entity_id')
      .execute();
    const byId = new Map(records.map((r) => [r.id, r]));
    for (const r of rows) byId.get(r.group_id)?.attachments.push({ entityKind: r.entity_kind, entityId: r.entity_id });
    return records;
  }
}
