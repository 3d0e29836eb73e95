import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DeleteOutcome, PageQuery, TeamPatch, TeamRecord, TeamStore } from '../../domain/index.js';
import { dropAttachments, withSlugs } from './attached-groups.js';
import type { GovernanceTables, TeamsTable } from './schema.js';

const COLUMNS = ['id', 'name', 'customer_id', 'created_at', 'updated_at'] as const;

function toRecord(row: Pick<Selectable<TeamsTable>, (typeof COLUMNS)[number]>): TeamRecord {
  return { id: row.id, name: row.name, customerId: row.customer_id ?? undefined, toolGroups: [], createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Teams in Postgres (or PGlite): hard deletes, refused while live keys belong to one. */
export class PgTeamStore implements TeamStore {
  constructor(private readonly db: Kysely<GovernanceTables>) {}

  async insert(record: TeamRecord): Promise<void> {
    await this.db
      .insertInto('teams')
      .values({ id: record.id, name: record.name, customer_id: record.customerId ?? null, created_at: record.createdAt, updated_at: record.updatedAt })
      .execute();
  }

  async findById(id: string): Promise<TeamRecord | undefined> {
    const row = await this.db.selectFrom('teams').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && (await withSlugs(this.db, 'team', [toRecord(row)]))[0];
  }

  async list(query: PageQuery & { customerId: string | undefined }): Promise<TeamRecord[]> {
    let q = this.db.selectFrom('teams').select(COLUMNS);
    const { after, customerId } = query;
    if (customerId !== undefined) q = q.where('customer_id', '=', customerId);
    if (after) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after.createdAt, after.id)));
    const rows = await q.orderBy('created_at').orderBy('id').limit(query.limit).execute();
    return withSlugs(this.db, 'team', rows.map(toRecord));
  }

  async update(id: string, patch: TeamPatch, updatedAt: Date): Promise<TeamRecord | undefined> {
    const set: Updateable<TeamsTable> = { updated_at: updatedAt };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.customerId !== undefined) set.customer_id = patch.customerId;
    const row = await this.db.updateTable('teams').set(set).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
    return row && (await withSlugs(this.db, 'team', [toRecord(row)]))[0];
  }

  async delete(id: string): Promise<DeleteOutcome> {
    return this.db.transaction().execute(async (tx) => {
      const deleted = await tx
        .deleteFrom('teams')
        .where('id', '=', id)
        .where(({ not, exists, selectFrom }) => not(exists(
          selectFrom('virtual_keys').select(sql`1`.as('x')).where('team_id', '=', id).where('deleted_at', 'is', null),
        )))
        .executeTakeFirst();
      if (deleted.numDeletedRows > 0n) {
        await dropAttachments(tx, 'team', id);
        return 'deleted';
      }
      const exists = await tx.selectFrom('teams').select('id').where('id', '=', id).executeTakeFirst();
      return exists ? 'in_use' : 'not_found';
    });
  }
}
