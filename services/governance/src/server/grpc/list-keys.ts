import type { UnaryHandler, governance } from '@switchyard/proto';
import type { KeyService } from '../../domain/index.js';
import { toWireKey } from './wire.js';

/** One page of live keys, oldest first; `next_cursor` is empty on the last page. */
export function listKeys(keys: KeyService): UnaryHandler<typeof governance.ListKeysRequestSchema, typeof governance.ListKeysResponseSchema> {
  return async (request) => {
    const page = await keys.list({ limit: request.limit, cursor: request.cursor });
    return { keys: page.keys.map(toWireKey), nextCursor: page.nextCursor };
  };
}
