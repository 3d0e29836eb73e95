import type { SwitchyardError } from '@switchyard/errors';
import type { Random, RetryReason } from './ports.js';
import type { RetryConfig } from './types.js';

/**
 * What to do after a failed attempt (Bifrost's rules):
 * - 5xx, connection errors, timeouts: the same key again, after a backoff;
 * - 429: another key (the same one if it is the only one), after a backoff, or after
 *   `retry-after` when the provider asks for no more than the maximum backoff;
 * - 401/402/403: the key is dead for this request; another key at once, without
 *   spending the retry budget (each key is tried at most once this way);
 * - anything else (400/404/422, cancellations, internal errors): give up.
 */
export type RetryDecision =
  | { action: 'retry'; reason: RetryReason; delayMs: number; rotate: boolean; markDead: boolean; spendsBudget: boolean }
  | { action: 'fail' };

/** `min(initial·2^retry, max) × jitter(0.8–1.2)`, retry counted from 0. */
export function backoffMs(retry: number, config: RetryConfig, random: Random): number {
  const base = Math.min(config.backoffInitialMs * 2 ** retry, config.backoffMaxMs);
  return Math.round(base * (0.8 + 0.4 * random()));
}

function reasonOf(err: SwitchyardError): RetryReason | undefined {
  const status = err.upstreamStatus;
  if (status === 401 || status === 402 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (err.kind === 'upstream_timeout') return 'timeout';
  if (err.kind === 'upstream_error') return status === undefined ? 'network' : 'server_error';
  return undefined;
}

/** The decision after a failure, given the retries this target has already spent. */
export function decideRetry(err: SwitchyardError, retriesSpent: number, config: RetryConfig, random: Random): RetryDecision {
  const reason = reasonOf(err);
  if (reason === undefined) return { action: 'fail' };
  if (reason === 'auth') return { action: 'retry', reason, delayMs: 0, rotate: true, markDead: true, spendsBudget: false };
  if (retriesSpent >= config.maxRetries) return { action: 'fail' };
  let delayMs = backoffMs(retriesSpent, config, random);
  if (reason === 'rate_limited' && err.retryAfterSeconds !== undefined) {
    const asked = Math.ceil(err.retryAfterSeconds * 1000);
    if (asked >= 0 && asked <= config.backoffMaxMs) delayMs = asked;
  }
  return { action: 'retry', reason, delayMs, rotate: reason === 'rate_limited', markDead: false, spendsBudget: true };
}
