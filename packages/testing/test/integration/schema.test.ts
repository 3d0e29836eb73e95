import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createSchema, dropSchema, withSchema } from '../../src/schema.js';
import { testEnv, testIds } from '../../src/test-ids.js';

const { databaseUrl } = testEnv();

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const schemaExists = async (schema: string): Promise<boolean> =>
  (await query(databaseUrl, 'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])).length === 1;

describe('per-run Postgres schemas', () => {
  it('creates and drops (CASCADE) a schema', async () => {
    const { schema } = testIds('schema create');
    await createSchema(databaseUrl, schema);
    await createSchema(databaseUrl, schema);
    await query(databaseUrl, `CREATE TABLE ${schema}.t (id int)`);
    expect(await schemaExists(schema)).toBe(true);
    await dropSchema(databaseUrl, schema);
    expect(await schemaExists(schema)).toBe(false);
  });

  it('withSchema gives a URL whose connections land in the schema, and drops it on dispose', async () => {
    const { schema } = testIds('schema using');
    {
      await using s = await withSchema(databaseUrl, schema);
      await query(s.schemaUrl, 'CREATE TABLE items (id int)');
      const rows = await query<{ table_schema: string }>(databaseUrl, "SELECT table_schema FROM information_schema.tables WHERE table_name = 'items' AND table_schema = $1", [schema]);
      expect(rows).toEqual([{ table_schema: schema }]);
    }
    expect(await schemaExists(schema)).toBe(false);
  });

  it('refuses schema names that are not plain identifiers', async () => {
    await expect(createSchema(databaseUrl, 'x"; DROP SCHEMA public; --')).rejects.toThrow(/invalid schema name/);
  });
});
