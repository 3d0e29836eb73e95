import type { UnaryHandler, governance } from '@switchyard/proto';
import type { KeyService } from '../../domain/index.js';

/** Soft delete: the key stops authenticating at once; its row stays for audit. */
export function deleteKey(keys: KeyService): UnaryHandler<typeof governance.DeleteKeyRequestSchema, typeof governance.DeleteKeyResponseSchema> {
  return async (request) => {
    await keys.delete(request.id);
    return {};
  };
}
