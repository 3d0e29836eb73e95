import type { UnaryHandler, governance } from '@switchyard/proto';
import type { KeyService, LimitsService } from '../../domain/index.js';
import { toWireBudget, toWireRateLimit } from './limits.js';
import { toWireKey } from './wire.js';

/** Edge's policy-cache miss: the live key with this hash, disabled or expired included; unset when none. */
export function lookupKey(keys: KeyService, limits: LimitsService): UnaryHandler<typeof governance.LookupKeyRequestSchema, typeof governance.LookupKeyResponseSchema> {
  return async (request) => {
    const key = await keys.lookup(request.keyHash);
    if (!key) return {};
    // The chain grows with the key's team and customer once keys carry them.
    const resolved = await limits.resolve({ keyId: key.id });
    return {
      key: toWireKey(key),
      budgets: resolved.budgets.map(toWireBudget),
      rateLimits: resolved.rateLimits.map(toWireRateLimit),
    };
  };
}
