import type { Counter, Logger } from '@switchyard/obs';
import type { AuditStore } from '../domain/ports.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface RetentionOptions {
  store: AuditStore;
  days: number;
  logger: Logger;
  deleted: Counter;
  /** Default hourly; the first run is right after start. */
  intervalMs?: number;
  now?: () => Date;
}

/**
 * Deletes events older than `days`, once at start and then every interval. Every replica
 * runs it: deletes are idempotent, and chunked so that none holds locks for long.
 */
export function startRetention(options: RetentionOptions): AsyncDisposable {
  const now = options.now ?? (() => new Date());
  let inFlight: Promise<void> | undefined;
  const run = (): void => {
    if (inFlight) return;
    const cutoff = new Date(now().getTime() - options.days * DAY_MS);
    inFlight = options.store
      .deleteOlderThan(cutoff)
      .then((count) => {
        options.deleted.inc(count);
        if (count > 0) options.logger.info({ count, cutoff: cutoff.toISOString() }, 'audit.retention_deleted');
      })
      .catch((err: unknown) => options.logger.warn({ err }, 'audit.retention_failed'))
      .finally(() => { inFlight = undefined; });
  };
  const timer = setInterval(run, options.intervalMs ?? HOUR_MS);
  timer.unref();
  run();
  return {
    [Symbol.asyncDispose]: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}
