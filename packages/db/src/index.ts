export { createDb, migrate, openPglite, type Database, type DbOptions } from './db.js';
export { PgliteSerialPool } from './pglite-pool.js';
export { openPgliteThread } from './pglite-thread.js';
export type { EmbeddedPostgres } from './embedded.js';
export { sql, type Kysely, type Generated, type Selectable, type Insertable, type Updateable } from 'kysely';
export type { Migration } from 'kysely/migration';
