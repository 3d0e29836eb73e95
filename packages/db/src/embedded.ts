/**
 * What the Kysely adapter needs from an embedded Postgres: PGlite itself satisfies it,
 * and so does PGlite running in a worker thread (`openPgliteThread`).
 */
export interface EmbeddedPostgres {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
  close(): Promise<void>;
}
