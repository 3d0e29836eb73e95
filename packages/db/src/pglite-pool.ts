import type { EmbeddedPostgres } from './embedded.js';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

const AFFECTING = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/**
 * PGlite (in this thread or a worker) behind the small pool interface Kysely's PostgresDialect wants. PGlite has
 * one connection, so a connection is held exclusively from connect() to release():
 * transactions from different callers never interleave.
 */
export class PgliteSerialPool implements PostgresPool {
  readonly options: object = {};
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly db: EmbeddedPostgres) {}

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const previous = this.tail;
    this.tail = previous.then(() => held);
    await previous;
    const db = this.db;
    let released = false;
    async function run<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
      const result = await db.query<R>(sql, [...parameters]);
      const command = (/^\s*(\w+)/.exec(sql)?.[1] ?? 'SELECT').toUpperCase() as PostgresQueryResult<R>['command'];
      const rowCount = AFFECTING.has(command) ? (result.affectedRows ?? 0) : result.rows.length;
      return { command, rowCount, rows: result.rows };
    }
    function query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
    function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
    function query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
      if (typeof sqlOrCursor !== 'string') throw new Error('cursors are not supported on the embedded database');
      return run<R>(sqlOrCursor, parameters ?? []);
    }
    return {
      query,
      release(): void {
        if (!released) { released = true; release(); }
      },
    };
  }

  async end(): Promise<void> {
    await this.tail;
  }
}
