import { resolveToolScope, type ToolScope } from '@switchyard/limits';
import type { KeyChain } from './entities.js';
import type { KeyRecord } from './keys.js';

/**
 * A key's policy resolved up its key -> team -> customer chain: what edge caches and
 * enforces. The chain ids stay here so that chain-wide policy (budgets, rate limits)
 * can be resolved beside the tool scope.
 */
export interface ResolvedPolicy {
  teamId: string | undefined;
  /** The key's customer, or its team's. */
  customerId: string | undefined;
  allowedProviders: string[];
  toolScope: ToolScope;
  /** Enabled groups reached through the key, its team or its customer; sorted, unique. */
  groupSlugs: string[];
}

export function resolvePolicy(key: Pick<KeyRecord, 'allowedProviders' | 'mcpTools'>, chain: KeyChain): ResolvedPolicy {
  const slugs = [...new Set(chain.groups.map((g) => g.slug))].sort();
  return {
    teamId: chain.teamId,
    customerId: chain.customerId,
    allowedProviders: key.allowedProviders,
    toolScope: resolveToolScope(key.mcpTools, chain.groups.map((g) => g.tools)),
    groupSlugs: slugs,
  };
}
