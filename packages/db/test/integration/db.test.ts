import { describe, it, expect, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { createDb, migrate, openPglite, openPgliteThread, type Database, type Migration } from '../../src/index.js';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `t_db_${randomBytes(4).toString('hex')}`;

interface Tables { items: { id: string; n: number } }

const migrations: Record<string, Migration> = {
  '0001_items': {
    up: async (db: Kysely<unknown>) => { await db.schema.createTable('items').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('n', 'integer', (c) => c.notNull()).execute(); },
  },
};

afterAll(async () => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
});

async function exercise(database: Database<Tables>): Promise<void> {
  expect(await migrate(database, 'svc', migrations)).toEqual(['0001_items']);
  expect(await migrate(database, 'svc', migrations)).toEqual([]);
  const { db } = database;
  const inserted = await db.insertInto('items').values([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]).executeTakeFirst();
  expect(Number(inserted.numInsertedOrUpdatedRows)).toBe(2);
  const updated = await db.updateTable('items').set({ n: 5 }).where('id', '=', 'a').executeTakeFirst();
  expect(Number(updated.numUpdatedRows)).toBe(1);
  // Concurrent transactions never interleave on the embedded single connection.
  await Promise.all([1, 2, 3, 4].map((i) => db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('items').select('n').where('id', '=', 'b').executeTakeFirstOrThrow();
    await new Promise((r) => setTimeout(r, 5));
    await trx.updateTable('items').set({ n: row.n + i }).where('id', '=', 'b').execute();
  }).catch(() => undefined)));
  const rows = await db.selectFrom('items').selectAll().orderBy('id').execute();
  expect(rows[0]).toEqual({ id: 'a', n: 5 });
  const where = await sql<{ s: string }>`select current_schema() as s`.execute(db);
  expect(where.rows[0]?.s).toBe(database.schema);
  await database.ping();
}

describe('createDb', () => {
  it('survives services and replicas opening and migrating one new schema at the same moment', async () => {
    const fresh = `${schema}_race`;
    try {
      const dbs = await Promise.all(Array.from({ length: 6 }, () => createDb<Tables>({ url, schema: fresh, maxConnections: 2 })));
      try {
        const applied = await Promise.all(dbs.map((d) => migrate(d, 'svc', migrations)));
        expect(applied.flat()).toEqual(['0001_items']);
      } finally {
        for (const d of dbs) await d[Symbol.asyncDispose]();
      }
    } finally {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
      await c.end();
    }
  });

  it('runs migrations and queries on real Postgres in its own schema', async () => {
    await using database = await createDb<Tables>({ url, schema });
    expect(database.kind).toBe('postgres');
    await exercise(database);
  });

  it('runs the same migrations on embedded PGlite, transactions serialised', async () => {
    const lite = await openPglite();
    await using database = await createDb<Tables>({ pglite: lite, schema: 'gov' });
    expect(database.kind).toBe('pglite');
    await exercise(database);
    const rows = await database.db.selectFrom('items').select('n').where('id', '=', 'b').executeTakeFirstOrThrow();
    expect(rows.n).toBe(2 + 1 + 2 + 3 + 4);
    await lite.close();
  });

  it('runs the same on PGlite in a worker thread, with SQLSTATE codes on errors', async () => {
    const thread = await openPgliteThread();
    await using database = await createDb<Tables>({ pglite: thread, schema: 'gov' });
    expect(database.kind).toBe('pglite');
    await exercise(database);
    const dup = await database.db.insertInto('items').values({ id: 'a', n: 1 }).execute().catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: '23505' });
    const when = await sql<{ t: Date; b: Uint8Array }>`select now() as t, '\\x0102'::bytea as b`.execute(database.db);
    expect(when.rows[0]?.t).toBeInstanceOf(Date);
    expect([...when.rows[0]!.b]).toEqual([1, 2]);
    await thread.close();
  });
});
