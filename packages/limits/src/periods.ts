import type { Period } from './types.js';

/**
 * Windows are fixed and calendar-aligned in UTC: a `1m` window is one clock minute
 * (12:03:00.000 to 12:04:00.000), `1h` a clock hour, `1d` a UTC day, `1w` an ISO week
 * (Monday 00:00 UTC), `1M` a calendar month and `1Y` a calendar year. Every replica
 * computes the same window from the same clock, so a counter key names its window.
 */
export interface Window {
  /** Epoch milliseconds, inclusive. */
  readonly startMs: number;
  /** Epoch milliseconds, exclusive: the reset time. */
  readonly endMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

function fixed(nowMs: number, size: number, offset = 0): Window {
  const startMs = Math.floor((nowMs - offset) / size) * size + offset;
  return { startMs, endMs: startMs + size };
}

// 1970-01-01 was a Thursday; ISO weeks start on Monday, three days earlier (1969-12-29).
const MONDAY_OFFSET = -3 * DAY;

/** The window of `period` that contains `nowMs`. */
export function windowOf(period: Period, nowMs: number): Window {
  switch (period) {
    case '1m':
      return fixed(nowMs, MINUTE);
    case '1h':
      return fixed(nowMs, HOUR);
    case '1d':
      return fixed(nowMs, DAY);
    case '1w':
      return fixed(nowMs, WEEK, MONDAY_OFFSET);
    case '1M': {
      const d = new Date(nowMs);
      return { startMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), endMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
    }
    case '1Y': {
      const y = new Date(nowMs).getUTCFullYear();
      return { startMs: Date.UTC(y, 0, 1), endMs: Date.UTC(y + 1, 0, 1) };
    }
  }
}

export function isPeriod(value: unknown): value is Period {
  return value === '1m' || value === '1h' || value === '1d' || value === '1w' || value === '1M' || value === '1Y';
}
