export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  /** 0..1: the share of the delay that is randomised (0 = fixed, 1 = full jitter). */
  jitter: number;
}

/**
 * The wait before reconnect attempt `attempt` (0-based): exponential, capped, with the
 * top `jitter` share drawn at random so that replicas do not reconnect in lockstep.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt));
  const fixed = base * (1 - policy.jitter);
  return Math.round(fixed + base * policy.jitter * random());
}
