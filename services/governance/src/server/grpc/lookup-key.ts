import type { UnaryHandler, governance } from '@switchyard/proto';
import type { KeyService, LimitsService } from '../../domain/index.js';
import { toWireBudget, toWireRateLimit } from './limits.js';
import { toWireKey, toWirePolicy } from './wire.js';

/**
 * Edge's policy-cache miss: the live key with this hash (disabled or expired included),
 * its resolved policy, and every budget and rate limit up its chain (key, team,
 * customer); unset when no key has the hash.
 */
export function lookupKey(keys: KeyService, limits: LimitsService): UnaryHandler<typeof governance.LookupKeyRequestSchema, typeof governance.LookupKeyResponseSchema> {
  return async (request) => {
    const found = await keys.lookup(request.keyHash);
    if (!found) return {};
    const { key, policy } = found;
    const resolved = await limits.resolve({ keyId: key.id, teamId: policy.teamId, customerId: policy.customerId });
    return {
      key: toWireKey(key),
      policy: toWirePolicy(policy),
      budgets: resolved.budgets.map(toWireBudget),
      rateLimits: resolved.rateLimits.map(toWireRateLimit),
    };
  };
}
