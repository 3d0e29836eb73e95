import type { UnaryHandler, governance } from '@switchyard/proto';
import type { KeyService } from '../../domain/index.js';
import { toWireKey } from './wire.js';

/** Edge's policy-cache miss: the live key with this hash, disabled or expired included; unset when none. */
export function lookupKey(keys: KeyService): UnaryHandler<typeof governance.LookupKeyRequestSchema, typeof governance.LookupKeyResponseSchema> {
  return async (request) => {
    const key = await keys.lookup(request.keyHash);
    return key ? { key: toWireKey(key) } : {};
  };
}
