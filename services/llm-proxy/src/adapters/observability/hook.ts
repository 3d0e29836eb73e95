import { KINDS } from '@switchyard/errors';
import type { Logger } from '@switchyard/obs';
import type { Hook } from '../../domain/pipeline.js';
import type { LlmMetrics } from './metrics.js';

/**
 * The outermost hook: counts every request and its tokens, and logs how it ended. This is
 * where a failure becomes a response, so errors are logged here, once.
 */
export function observabilityHook(logger: Logger, metrics: LlmMetrics, now: () => number = performance.now.bind(performance)): Hook {
  const started = new WeakMap<object, number>();
  return {
    name: 'observability',
    failMode: 'open',
    before(_ctx, request) {
      started.set(request, now());
      return undefined;
    },
    after(ctx, request, result) {
      const ms = Math.round((now() - (started.get(request) ?? now())) * 10) / 10;
      const fields = { requestId: ctx.call.requestId, keyId: ctx.call.keyId, model: request.model, stream: request.stream, ms };
      if (result.ok) {
        const o = result.outcome;
        const served = { provider: o.provider, model: o.provider ? `${o.provider}/${o.model}` : o.model };
        metrics.request({ ...served, status: 'ok' });
        if (o.usage) metrics.tokens(served, o.usage);
        // Debug: at thousands of requests per second the audit stream, not the log, is the record.
        logger.debug({ ...fields, provider: o.provider, upstreamModel: o.model, keyName: o.keyName, attempts: o.attempts, fallbacksUsed: o.fallbacksUsed, usage: o.usage, early: result.early }, 'completion.finished');
        return;
      }
      const e = result.error;
      const primary = request.targets[0];
      metrics.request({ provider: primary?.provider.id ?? '', model: primary ? `${primary.provider.id}/${primary.model}` : request.model, status: e.kind });
      const level = e.kind === 'internal' ? 'error' : KINDS[e.kind].fallback ? 'warn' : 'info';
      logger[level]({ ...fields, kind: e.kind, code: e.code, upstreamStatus: e.upstreamStatus, err: e.kind === 'internal' ? (e.cause ?? e) : undefined, message: e.message }, 'completion.failed');
    },
  };
}
