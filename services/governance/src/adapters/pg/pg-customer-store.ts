import { sql, type Kysely, type Selectable } from 'kysely';
import type { CustomerRecord, CustomerStore, DeleteOutcome, PageQuery } from '../../domain/index.js';
import { dropAttachments, withSlugs } from './attached-groups.js';
import type { CustomersTable, GovernanceTables } from './schema.js';

const COLUMNS = ['id', 'name', 'created_at', 'updated_at'] as const;

function toRecord(row: Pick<Selectable<CustomersTable>, (typeof COLUMNS)[number]>): CustomerRecord {
  return { id: row.id, name: row.name, toolGroups: [], createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Customers in Postgres (or PGlite): hard deletes, refused while anything belongs to one. */
export class PgCustomerStore implements CustomerStore {
  constructor(private readonly db: Kysely<GovernanceTables>) {}

  async insert(record: CustomerRecord): Promise<void> {
    await this.db.insertInto('customers').values({ id: record.id, name: record.name, created_at: record.createdAt, updated_at: record.updatedAt }).execute();
  }

  async findById(id: string): Promise<CustomerRecord | undefined> {
    const row = await this.db.selectFrom('customers').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && (await withSlugs(this.db, 'customer', [toRecord(row)]))[0];
  }

  async list(query: PageQuery): Promise<CustomerRecord[]> {
    let q = this.db.selectFrom('customers').select(COLUMNS);
    const { after } = query;
    if (after) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after.createdAt, after.id)));
    const rows = await q.orderBy('created_at').orderBy('id').limit(query.limit).execute();
    return withSlugs(this.db, 'customer', rows.map(toRecord));
  }

  async rename(id: string, name: string, updatedAt: Date): Promise<CustomerRecord | undefined> {
    const row = await this.db.updateTable('customers').set({ name, updated_at: updatedAt }).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
    return row && (await withSlugs(this.db, 'customer', [toRecord(row)]))[0];
  }

  async delete(id: string): Promise<DeleteOutcome> {
    return this.db.transaction().execute(async (tx) => {
      const deleted = await tx
        .deleteFrom('customers')
        .where('id', '=', id)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('teams').select(sql`1`.as('x')).where('customer_id', '=', id))))
        .where(({ not, exists, selectFrom }) => not(exists(
          selectFrom('virtual_keys').select(sql`1`.as('x')).where('customer_id', '=', id).where('deleted_at', 'is', null),
        )))
        .executeTakeFirst();
      if (deleted.numDeletedRows > 0n) {
        await dropAttachments(tx, 'customer', id);
        return 'deleted';
      }
      const exists = await tx.selectFrom('customers').select('id').where('id', '=', id).executeTakeFirst();
      return exists ? 'in_use' : 'not_found';
    });
  }
}
