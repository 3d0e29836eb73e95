import { SwitchyardError } from '@switchyard/errors';
import type { common } from '@switchyard/proto';
import type { Logger } from '@switchyard/obs';
import type { LlmMetrics } from '../../adapters/observability/metrics.js';
import type { CallInfo, JsonObject, RouteOutcome } from '../../domain/types.js';

const decoder = new TextDecoder();

export function callInfo(context: common.CallContext | undefined): CallInfo {
  return { requestId: context?.requestId ?? '', keyId: context?.keyId ?? '', parentRequestId: context?.parentRequestId ?? '' };
}

/** The request body: JSON, an object. */
export function parseBody(bytes: Uint8Array): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new SwitchyardError('invalid_argument', 'the request body is not valid JSON', { param: 'body' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SwitchyardError('invalid_argument', 'the request body must be a JSON object', { param: 'body' });
  }
  return value as JsonObject;
}

/** The wire shape of an outcome (RouteOutcome init). */
export function outcomeToWire(o: RouteOutcome) {
  return {
    provider: o.provider,
    model: o.model,
    keyName: o.keyName,
    attempts: o.attempts,
    fallbacksUsed: o.fallbacksUsed,
    ...(o.usage
      ? { usage: { promptTokens: BigInt(o.usage.promptTokens), completionTokens: BigInt(o.usage.completionTokens), totalTokens: BigInt(o.usage.totalTokens) } }
      : {}),
  };
}

/** A request refused before routing (bad body, unknown provider): counted and logged here, once. */
export function refused(err: unknown, call: CallInfo, deps: { logger: Logger; metrics: LlmMetrics }): SwitchyardError {
  const e = err instanceof SwitchyardError ? err : new SwitchyardError('internal', 'internal error', { cause: err });
  deps.metrics.request({ provider: '', model: 'none', status: e.kind });
  const fields = { requestId: call.requestId, keyId: call.keyId, kind: e.kind, param: e.param, message: e.message };
  if (e.kind === 'internal') deps.logger.error({ ...fields, err: e.cause }, 'completion.failed');
  else deps.logger.info(fields, 'completion.refused');
  return e;
}
