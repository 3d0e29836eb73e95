import type { UnaryHandler, governance } from '@switchyard/proto';
import type { KeyService } from '../../domain/index.js';
import { fromWireAllowList, fromWireTime, toWireKey } from './wire.js';

/** A partial update: name, enabled, expiry (set or clear), models, owner, providers, MCP allow-list. */
export function updateKey(keys: KeyService): UnaryHandler<typeof governance.UpdateKeyRequestSchema, typeof governance.UpdateKeyResponseSchema> {
  return async (request) => {
    const key = await keys.update(request.id, {
      name: request.name,
      enabled: request.enabled,
      expiresAt: fromWireTime(request.expiresAt),
      clearExpiresAt: request.clearExpiresAt,
      allowedModels: request.allowedModels,
      setAllowedModels: request.setAllowedModels,
      teamId: request.teamId,
      customerId: request.customerId,
      allowedProviders: request.allowedProviders?.patterns,
      mcpTools: fromWireAllowList(request.mcpTools),
      clearMcpTools: request.clearMcpTools,
    });
    return { key: toWireKey(key) };
  };
}
