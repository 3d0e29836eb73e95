import { Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PgliteSerialPool } from './pglite-pool.js';
import type { EmbeddedPostgres } from './embedded.js';

export interface DbOptions {
  /** postgres://… ; unset: embedded PGlite. */
  url?: string | undefined;
  /** Tables live in this schema (created if missing). */
  schema?: string;
  /** For PGlite: an instance shared by every service of the process (in this thread or a worker). */
  pglite?: EmbeddedPostgres;
  /** Pool size for pg. */
  maxConnections?: number;
}

export interface Database<DB> extends AsyncDisposable {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
  schema: string;
  /** Rejects when the database does not answer (readiness). */
  ping(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

/** Opens an embedded PGlite (in memory, or persisted under `dataDir`). */
export async function openPglite(dataDir?: string): Promise<PGlite> {
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  return db;
}

/**
 * `CREATE SCHEMA IF NOT EXISTS` is not atomic in Postgres: two services (or two pods of
 * one) starting together can both pass the check, and the loser gets a unique violation
 * on pg_namespace (23505) or duplicate_schema (42P06). Either means the schema is there.
 */
async function createSchema(client: pg.Client, schema: string): Promise<void> {
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw err;
  }
}

export async function createDb<DB>(options: DbOptions): Promise<Database<DB>> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  if (options.url) {
    const bootstrap = new pg.Client({ connectionString: options.url });
    await bootstrap.connect();
    try {
      await createSchema(bootstrap, schema);
    } finally {
      await bootstrap.end();
    }
    const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10, options: `-c search_path="${schema}"` });
    pool.on('error', () => undefined); // a dropped idle connection is replaced on next use
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db, kind: 'postgres', schema,
      ping: async () => { await sql`select 1`.execute(db); },
      [Symbol.asyncDispose]: () => db.destroy(),
    };
  }
  const owned = options.pglite === undefined;
  const lite = options.pglite ?? (await openPglite());
  await lite.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  // One connection: qualify with the schema through search_path on every checkout.
  const pool = new PgliteSerialPool(lite);
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({
      pool,
      onReserveConnection: async (conn) => { await conn.executeQuery(sql`set search_path to ${sql.id(schema)}`.compile(db)); },
    }),
  });
  return {
    db, kind: 'pglite', schema,
    ping: async () => { await sql`select 1`.execute(db); },
    [Symbol.asyncDispose]: async () => {
      await db.destroy();
      if (owned) await lite.close();
    },
  };
}

/** Runs a service's migrations (its own history table) inside the database's schema. */
export async function migrate<DB>(database: Database<DB>, service: string, migrations: Record<string, Migration>): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: `${service}_migrations`,
    migrationLockTableName: `${service}_migrations_lock`,
    migrationTableSchema: database.schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error(`${service} migrations failed: ${String((error as Error).message ?? error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
