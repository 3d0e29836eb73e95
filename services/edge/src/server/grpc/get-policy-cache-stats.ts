import type { edge, UnaryHandler } from '@switchyard/proto';
import type { PolicyCache } from '../../domain/policy-cache.js';

type Handler = UnaryHandler<typeof edge.GetPolicyCacheStatsRequestSchema, typeof edge.GetPolicyCacheStatsResponseSchema>;

export function getPolicyCacheStats(cache: PolicyCache): Handler {
  return async () => {
    const s = cache.stats();
    return { entries: BigInt(s.entries), hits: BigInt(s.hits), misses: BigInt(s.misses), invalidations: BigInt(s.invalidations) };
  };
}
