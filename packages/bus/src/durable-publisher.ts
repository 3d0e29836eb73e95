import type { Bus } from './types.js';

export interface DurablePublisherOptions {
  /** At most this many events wait in memory; beyond it, the oldest are dropped and counted. */
  maxBuffered: number;
  /** Delay between retries while the bus is down. */
  retryDelayMs?: number;
  onDrop?: (count: number) => void;
  onError?: (err: unknown) => void;
}

interface Pending {
  subject: string;
  data: Uint8Array;
  msgId: string;
  headers: Record<string, string> | undefined;
}

/**
 * Publishes durable events without ever blocking the caller: `enqueue` returns at
 * once; a background loop publishes in order and retries while the bus is down. The
 * buffer is bounded; drops are counted. Dispose flushes what it can.
 */
export class DurablePublisher implements AsyncDisposable {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  dropped = 0;

  constructor(private readonly bus: Bus, private readonly options: DurablePublisherOptions) {}

  get buffered(): number {
    return this.queue.length;
  }

  enqueue(subject: string, data: Uint8Array, msgId: string, headers?: Record<string, string>): void {
    if (this.queue.length >= this.options.maxBuffered) {
      this.queue.shift();
      this.dropped++;
      this.options.onDrop?.(1);
    }
    this.queue.push({ subject, data, msgId, headers });
    this.draining ??= this.drain().finally(() => { this.draining = undefined; });
  }

  private async drain(): Promise<void> {
    // Publish concurrently in small windows: JetStream dedups by msgId, order is not a contract.
    while (this.queue.length > 0) {
      const window = this.queue.slice(0, 64);
      const results = await Promise.allSettled(
        window.map((p) => this.bus.publishDurable(p.subject, p.data, { msgId: p.msgId, ...(p.headers ? { headers: p.headers } : {}) })),
      );
      const failed = results.filter((r) => r.status === 'rejected');
      // Remove the published ones, keep the failed ones at the front, in order.
      const keep = window.filter((_, i) => results[i]!.status === 'rejected');
      this.queue.splice(0, window.length, ...keep);
      if (failed.length > 0) {
        this.options.onError?.((failed[0] as PromiseRejectedResult).reason);
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 500));
      }
    }
  }

  /** Waits until everything buffered has been published (or `timeoutMs` passes). */
  async flush(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.draining || this.queue.length > 0) && Date.now() < deadline) {
      await Promise.race([this.draining, new Promise((r) => setTimeout(r, 50))]);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.flush(3000);
    this.closed = true;
  }
}
