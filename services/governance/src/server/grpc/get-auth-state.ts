import type { UnaryHandler, governance } from '@switchyard/proto';
import type { KeyService } from '../../domain/index.js';

/** How many live keys exist. */
export function getAuthState(keys: KeyService): UnaryHandler<typeof governance.GetAuthStateRequestSchema, typeof governance.GetAuthStateResponseSchema> {
  return async () => ({ keyCount: BigInt(await keys.count()) });
}
