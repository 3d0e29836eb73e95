import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** Default 5000. */
  timeoutMs?: number;
  /** Default 50. */
  intervalMs?: number;
}

/**
 * Calls `fn` until it neither throws nor returns `false`, and resolves with its value.
 * On timeout, rethrows the last error (or an Error saying it timed out if `fn` last returned `false`).
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitForOptions = {}): Promise<Exclude<T, false>> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = new Error(`waitFor: timed out after ${timeoutMs}ms`);
  for (;;) {
    try {
      const value = await fn();
      if (value !== false) return value as Exclude<T, false>;
      lastError = new Error(`waitFor: condition still false after ${timeoutMs}ms`);
    } catch (err) {
      lastError = err;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lastError;
    await sleep(Math.min(intervalMs, remaining));
  }
}
