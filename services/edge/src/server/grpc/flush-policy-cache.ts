import type { edge, UnaryHandler } from '@switchyard/proto';
import type { PolicyCache } from '../../domain/policy-cache.js';

type Handler = UnaryHandler<typeof edge.FlushPolicyCacheRequestSchema, typeof edge.FlushPolicyCacheResponseSchema>;

export function flushPolicyCache(cache: PolicyCache): Handler {
  return async () => ({ dropped: BigInt(cache.flush()) });
}
