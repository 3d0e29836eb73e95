import type { Kysely } from 'kysely';
import type { EntityDirectory, EntityRef } from '../../domain/index.js';
import type { GovernanceTables } from './schema.js';

/**
 * Which entities exist. Keys are checked against `virtual_keys`; teams and customers
 * have no tables on this branch yet (they come with the customers/teams model), so
 * their ids are accepted as given until that model checks them here.
 */
export class PgEntityDirectory implements EntityDirectory {
  constructor(private readonly db: Kysely<GovernanceTables>) {}

  async exists(ref: EntityRef): Promise<boolean> {
    if (ref.kind !== 'key') return true;
    return (await this.keyHash(ref.id)) !== undefined;
  }

  async keyHash(keyId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('virtual_keys').select('key_hash').where('id', '=', keyId).where('deleted_at', 'is', null).executeTakeFirst();
    return row?.key_hash;
  }
}
