import type { UnaryHandler, governance } from '@switchyard/proto';
import type { KeyService } from '../../domain/index.js';
import { fromWireAllowList, fromWireTime, toWireKey } from './wire.js';

/** Creates a key; the response carries its secret, this once. */
export function createKey(keys: KeyService): UnaryHandler<typeof governance.CreateKeyRequestSchema, typeof governance.CreateKeyResponseSchema> {
  return async (request) => {
    const { key, secret } = await keys.create({
      name: request.name,
      enabled: request.enabled,
      expiresAt: fromWireTime(request.expiresAt),
      allowedModels: request.allowedModels,
      teamId: request.teamId || undefined,
      customerId: request.customerId || undefined,
      allowedProviders: request.allowedProviders ? request.allowedProviders.patterns : ['*'],
      mcpTools: fromWireAllowList(request.mcpTools),
    });
    return { key: toWireKey(key), secret };
  };
}
