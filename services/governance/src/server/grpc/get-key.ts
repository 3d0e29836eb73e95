import type { UnaryHandler, governance } from '@switchyard/proto';
import type { KeyService } from '../../domain/index.js';
import { toWireKey } from './wire.js';

/** One live key by id; `not_found` otherwise (deleted keys included). */
export function getKey(keys: KeyService): UnaryHandler<typeof governance.GetKeyRequestSchema, typeof governance.GetKeyResponseSchema> {
  return async (request) => ({ key: toWireKey(await keys.get(request.id)) });
}
