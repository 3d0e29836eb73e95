import type { Kysely } from 'kysely';
import type { EntityKind } from '../../domain/index.js';
import type { GovernanceTables } from './schema.js';

/** Entity id -> slugs of the groups attached to it (sorted), for a batch of entities of one kind. */
export async function attachedSlugs(db: Kysely<GovernanceTables>, kind: EntityKind, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('tool_group_attachments as a')
    .innerJoin('tool_groups as g', 'g.id', 'a.group_id')
    .select(['a.entity_id', 'g.slug'])
    .where('a.entity_kind', '=', kind)
    .where('a.entity_id', 'in', [...ids])
    .orderBy('g.slug')
    .execute();
  for (const r of rows) {
    const list = out.get(r.entity_id);
    if (list) list.push(r.slug);
    else out.set(r.entity_id, [r.slug]);
  }
  return out;
}

/** Fills `toolGroups` of each record from one query. */
export async function withSlugs<T extends { id: string; toolGroups: string[] }>(db: Kysely<GovernanceTables>, kind: EntityKind, records: T[]): Promise<T[]> {
  const slugs = await attachedSlugs(db, kind, records.map((r) => r.id));
  for (const r of records) r.toolGroups = slugs.get(r.id) ?? [];
  return records;
}

/** Deletes every attachment of one entity (it is going away). */
export async function dropAttachments(db: Kysely<GovernanceTables>, kind: EntityKind, id: string): Promise<void> {
  await db.deleteFrom('tool_group_attachments').where('entity_kind', '=', kind).where('entity_id', '=', id).execute();
}
