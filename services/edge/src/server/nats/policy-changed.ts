import type { Bus, Subscription } from '@switchyard/bus';
import type { Logger } from '@switchyard/obs';
import { fromBinary, governance, SUBJECTS } from '@switchyard/proto';
import type { AuthState } from '../../domain/auth-state.js';
import type { PolicyCache } from '../../domain/policy-cache.js';
import type { ToolGroupCache } from '../../domain/tool-group-cache.js';

export interface PolicyChangedDeps {
  bus: Bus;
  cache: PolicyCache;
  /** Tool groups served on `/mcp/groups/<slug>`; absent when MCP is off. */
  groups?: ToolGroupCache | undefined;
  /** Refreshed on key changes (optional mode only: required mode never reads it). */
  state: AuthState | undefined;
  logger: Logger;
}

/**
 * `policy.changed.>` (core NATS): a changed key drops its cache entry at once, so a
 * disabled or deleted key stops working on this replica within the bus latency. A key
 * event without a hash flushes the whole cache (nothing else can tell which entry).
 * Any other kind (team, customer, tool group, budget, rate limit) may change the resolved
 * policy of many keys: the whole key cache and the group cache are flushed, and the
 * next request of each key looks it up again.
 */
export function subscribePolicyChanged(deps: PolicyChangedDeps): Subscription {
  return deps.bus.subscribe(SUBJECTS.policyChangedAll, (msg) => {
    let event: governance.PolicyChanged;
    try {
      event = fromBinary(governance.PolicyChangedSchema, msg.data);
    } catch (err) {
      deps.logger.warn({ err, subject: msg.subject }, 'policy_changed.undecodable');
      return;
    }
    if (event.keyHash) deps.cache.invalidate(event.keyHash);
    else deps.cache.flush();
    if (event.kind !== 'key') deps.groups?.flush();
    if (event.kind === 'key' && deps.state) {
      deps.state.refresh().catch((err: unknown) => deps.logger.warn({ err }, 'auth_state.refresh_failed'));
    }
  });
}
