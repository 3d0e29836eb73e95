import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import { backoffMs, decideRetry } from '../../src/domain/retry-policy.js';

const config = { maxRetries: 3, backoffInitialMs: 500, backoffMaxMs: 5_000 };
const mid = () => 0.5; // jitter factor exactly 1.0

const upstream = (status?: number, retryAfterSeconds?: number) =>
  new SwitchyardError(status === 401 || status === 403 ? 'upstream_rejected' : 'upstream_error', 'x', {
    ...(status !== undefined ? { upstreamStatus: status } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });

describe('backoffMs', () => {
  it('doubles from the initial delay up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 5].map((r) => backoffMs(r, config, mid))).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('jitters between 0.8 and 1.2 times', () => {
    expect(backoffMs(1, config, () => 0)).toBe(800);
    expect(backoffMs(1, config, () => 0.999999)).toBe(1_200);
    expect(backoffMs(9, config, () => 0)).toBe(4_000);
    expect(backoffMs(9, config, () => 0.999999)).toBe(6_000);
  });
});

describe('decideRetry', () => {
  it('retries 5xx and connection errors on the same key with backoff', () => {
    expect(decideRetry(upstream(503), 0, config, mid)).toEqual({ action: 'retry', reason: 'server_error', delayMs: 500, rotate: false, markDead: false, spendsBudget: true });
    expect(decideRetry(upstream(), 1, config, mid)).toMatchObject({ action: 'retry', reason: 'network', delayMs: 1_000, rotate: false });
  });

  it('retries timeouts on the same key with backoff', () => {
    const timeout = new SwitchyardError('upstream_timeout', 'slow');
    expect(decideRetry(timeout, 2, config, mid)).toMatchObject({ action: 'retry', reason: 'timeout', delayMs: 2_000, rotate: false });
  });

  it('rotates on 429 with backoff, or after a small retry-after', () => {
    expect(decideRetry(upstream(429), 0, config, mid)).toMatchObject({ action: 'retry', reason: 'rate_limited', delayMs: 500, rotate: true, markDead: false });
    expect(decideRetry(upstream(429, 2), 0, config, mid)).toMatchObject({ delayMs: 2_000, rotate: true });
    expect(decideRetry(upstream(429, 0), 0, config, mid)).toMatchObject({ delayMs: 0, rotate: true });
    // A long retry-after is not honoured: the computed backoff applies and the next key is tried.
    expect(decideRetry(upstream(429, 60), 0, config, mid)).toMatchObject({ delayMs: 500, rotate: true });
  });

  it('marks the key dead on 401/402/403 and rotates at once without spending the budget', () => {
    for (const status of [401, 402, 403]) {
      expect(decideRetry(upstream(status), 3, config, mid)).toEqual({ action: 'retry', reason: 'auth', delayMs: 0, rotate: true, markDead: true, spendsBudget: false });
    }
  });

  it('stops when the budget is spent', () => {
    expect(decideRetry(upstream(500), 3, config, mid)).toEqual({ action: 'fail' });
    expect(decideRetry(upstream(429), 3, config, mid)).toEqual({ action: 'fail' });
  });

  it('never retries caller errors, cancellations or internal errors', () => {
    for (const e of [
      new SwitchyardError('invalid_argument', 'bad', { upstreamStatus: 400 }),
      new SwitchyardError('invalid_argument', 'no such model', { upstreamStatus: 404 }),
      new SwitchyardError('invalid_argument', 'bad', { upstreamStatus: 422 }),
      new SwitchyardError('cancelled', 'gone'),
      new SwitchyardError('internal', 'bug'),
    ]) {
      expect(decideRetry(e, 0, config, mid)).toEqual({ action: 'fail' });
    }
  });
});
