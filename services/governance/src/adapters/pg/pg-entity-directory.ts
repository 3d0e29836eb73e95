import type { Kysely } from 'kysely';
import type { EntityDirectory, EntityRef } from '../../domain/index.js';
import type { GovernanceTables } from './schema.js';

/** Which entities exist: live keys in `virtual_keys`, teams in `teams`, customers in `customers`. */
export class PgEntityDirectory implements EntityDirectory {
  constructor(private readonly db: Kysely<GovernanceTables>) {}

  async exists(ref: EntityRef): Promise<boolean> {
    if (ref.kind === 'key') return (await this.keyHash(ref.id)) !== undefined;
    const table = ref.kind === 'team' ? 'teams' : 'customers';
    return (await this.db.selectFrom(table).select('id').where('id', '=', ref.id).executeTakeFirst()) !== undefined;
  }

  async keyHash(keyId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('virtual_keys').select('key_hash').where('id', '=', keyId).where('deleted_at', 'is', null).executeTakeFirst();
    return row?.key_hash;
  }
}
