import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Unqualified names: the database handle's search_path is the deployment's schema.
 * event_id sorts with the "C" collation, so newest-first order and keyset cursors are
 * byte order on every server, whatever its locale. The secondary indexes end in the
 * list order (time desc, event_id desc), so a filtered page is an index range scan.
 */
export const migrations: Record<string, Migration> = {
  '0001_audit_events': {
    up: async (db: Kysely<unknown>): Promise<void> => {
      await sql`
        create table audit_events (
          event_id text collate "C" primary key,
          kind text not null default '',
          time timestamptz not null,
          request_id text not null default '',
          parent_request_id text not null default '',
          key_id text not null default '',
          model text not null default '',
          provider text not null default '',
          status integer not null default 0,
          error_kind text not null default '',
          latency_ms double precision not null default 0,
          prompt_tokens bigint not null default 0,
          completion_tokens bigint not null default 0,
          stream boolean not null default false,
          attempts integer not null default 0,
          route text not null default '',
          trace_id text not null default '',
          request_body bytea,
          response_body bytea,
          inserted_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index audit_events_time_idx on audit_events (time desc, event_id desc)`.execute(db);
      await sql`create index audit_events_key_idx on audit_events (key_id, time desc, event_id desc)`.execute(db);
      await sql`create index audit_events_model_idx on audit_events (model, time desc, event_id desc)`.execute(db);
      await sql`create index audit_events_request_idx on audit_events (request_id)`.execute(db);
    },
    down: async (db: Kysely<unknown>): Promise<void> => {
      await sql`drop table if exists audit_events`.execute(db);
    },
  },
};
