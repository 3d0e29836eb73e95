import { fits, SETTLE_MARGIN_MS, type Adjustment, type CounterDriver, type CounterEntry, type DriverReserve } from './counters.js';

interface Cell {
  value: number;
  generation: string;
  expiresAtMs: number;
}

/**
 * Counters in process memory, for embedded mode (one process, no Redis). Each call
 * runs to completion on the event loop, so reserve and adjust are atomic exactly as the
 * Redis script is; expiry is checked against the clock the caller passes, so tests can
 * move time. A restarted process starts empty and rebuilds budgets from the ledger.
 */
export class MemoryCounterDriver implements CounterDriver {
  readonly #cells = new Map<string, Cell>();
  #sweepAt = 0;

  constructor(private readonly prefix = '') {}

  #get(key: string, nowMs: number): Cell | undefined {
    const cell = this.#cells.get(this.prefix + key);
    if (cell === undefined) return undefined;
    if (cell.expiresAtMs <= nowMs) {
      this.#cells.delete(this.prefix + key);
      return undefined;
    }
    return cell;
  }

  reserve(entries: readonly CounterEntry[], generation: string, seeds: readonly (number | undefined)[] | undefined, nowMs: number): Promise<DriverReserve> {
    this.#sweep(nowMs);
    const current: number[] = [];
    const missing: number[] = [];
    entries.forEach((e, i) => {
      if (this.#get(e.key, nowMs) === undefined && e.kind === 'budget' && seeds?.[i] === undefined) missing.push(i);
    });
    if (missing.length > 0) return Promise.resolve({ kind: 'seed', missing });
    // Missing counters are created before the checks, as the Redis script does.
    const cells = entries.map((e, i) => {
      let cell = this.#get(e.key, nowMs);
      if (cell === undefined) {
        cell = { value: seeds?.[i] ?? 0, generation, expiresAtMs: e.window.endMs + SETTLE_MARGIN_MS };
        this.#cells.set(this.prefix + e.key, cell);
      }
      current.push(cell.value);
      return cell;
    });
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (!fits(current[i]!, e.amount, e.limit)) return Promise.resolve({ kind: 'denied', index: i, current: current[i]! });
    }
    const generations = cells.map((cell, i) => {
      cell.value += entries[i]!.amount;
      return cell.generation;
    });
    return Promise.resolve({ kind: 'ok', generations });
  }

  adjust(items: readonly Adjustment[]): Promise<void> {
    for (const item of items) {
      const cell = this.#cells.get(this.prefix + item.key);
      if (cell === undefined) continue;
      cell.value += cell.generation === item.generation ? item.delta : item.full;
    }
    return Promise.resolve();
  }

  read(keys: readonly string[], nowMs: number): Promise<(number | undefined)[]> {
    return Promise.resolve(keys.map((k) => this.#get(k, nowMs)?.value));
  }

  /** Forgets everything (tests: a restarted process). */
  clear(): void {
    this.#cells.clear();
  }

  /** Drops expired cells at most once a minute, so ended windows do not pile up. */
  #sweep(nowMs: number): void {
    if (nowMs < this.#sweepAt) return;
    this.#sweepAt = nowMs + 60_000;
    for (const [key, cell] of this.#cells) if (cell.expiresAtMs <= nowMs) this.#cells.delete(key);
  }
}
