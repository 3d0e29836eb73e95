import type { UnaryHandler, governance } from '@switchyard/proto';
import type { KeyService } from '../../domain/index.js';
import { toWireKey, toWirePolicy } from './wire.js';

/** Edge's policy-cache miss: the live key with this hash (disabled or expired included) and its resolved policy; unset when none. */
export function lookupKey(keys: KeyService): UnaryHandler<typeof governance.LookupKeyRequestSchema, typeof governance.LookupKeyResponseSchema> {
  return async (request) => {
    const found = await keys.lookup(request.keyHash);
    return found ? { key: toWireKey(found.key), policy: toWirePolicy(found.policy) } : {};
  };
}
