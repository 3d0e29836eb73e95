import type { Bus } from '@switchyard/bus';
import { injectHeaders, type Counter, type Logger } from '@switchyard/obs';
import { SUBJECTS, create, governance, toBinary } from '@switchyard/proto';
import type { PolicyChange, PolicyPublisher } from '../../domain/index.js';

export interface BusPolicyPublisherOptions {
  bus: Bus;
  logger: Logger;
  /** `switchyard_governance_policy_events_total{kind,outcome}`. */
  events: Counter<'kind' | 'outcome'>;
}

/**
 * Publishes PolicyChanged on `policy.changed.<kind>` (core NATS, fire and forget),
 * with the trace context in the headers. A failure is logged and counted; it never
 * undoes the committed change it reports.
 */
export class BusPolicyPublisher implements PolicyPublisher {
  constructor(private readonly options: BusPolicyPublisherOptions) {}

  publish(change: PolicyChange): void {
    const message = create(governance.PolicyChangedSchema, { kind: change.kind, id: change.id, keyHash: change.keyHash ?? '' });
    try {
      this.options.bus.publish(SUBJECTS.policyChanged(change.kind), toBinary(governance.PolicyChangedSchema, message), injectHeaders({}));
      this.options.events.inc({ kind: change.kind, outcome: 'published' });
    } catch (err) {
      this.options.events.inc({ kind: change.kind, outcome: 'failed' });
      this.options.logger.error({ err, kind: change.kind, id: change.id }, 'policy_changed.publish_failed');
    }
  }
}
