import { edge, implementService, type ServiceBinding } from '@switchyard/proto';
import type { PolicyCache } from '../../domain/policy-cache.js';
import { flushPolicyCache } from './flush-policy-cache.js';
import { getPolicyCacheStats } from './get-policy-cache-stats.js';

/** EdgeAdminService: this replica's policy cache, for operators (internal port only). */
export function edgeAdminService(cache: PolicyCache): ServiceBinding {
  return {
    service: edge.EdgeAdminService,
    implementation: implementService(edge.EdgeAdminService, {
      getPolicyCacheStats: getPolicyCacheStats(cache),
      flushPolicyCache: flushPolicyCache(cache),
    }),
  };
}
