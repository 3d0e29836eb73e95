import type { Bus, BusMessage, ConsumeOptions, Consumer, DurableMessage, RequestOptions, StreamConfig, Subscription } from './types.js';
import { ReplyCollector } from './reply-collector.js';
import { subjectMatches } from './subjects.js';

interface StoredStream {
  config: StreamConfig;
  messages: DurableMessage[];
  /** How many acknowledged messages were trimmed from the front (seq of messages[0] is base + 1). */
  base: number;
  seen: Map<string, number>;
  /** Acked position per durable consumer. */
  cursors: Map<string, number>;
  wake: Set<() => void>;
}

/** Drops messages every consumer has acknowledged, so a long-running process does not grow. */
function trimAcknowledged(stream: StoredStream): void {
  const acked = Math.min(...stream.cursors.values()) - stream.base;
  if (acked < 1024) return;
  stream.messages.splice(0, acked);
  stream.base += acked;
}

function forgetOlderThan(seen: Map<string, number>, cutoff: number): void {
  for (const [id, at] of seen) {
    if (at >= cutoff) break; // insertion order is time order
    seen.delete(id);
  }
}

/**
 * The in-process bus for the one-process embedded mode: same semantics as NatsBus
 * (wildcards, dedup by msgId, durable cursors, redelivery on failure), no persistence
 * beyond the process.
 */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly subs = new Set<{ pattern: string; handler: (msg: BusMessage) => void }>();
  private readonly streams = new Map<string, StoredStream>();
  private closed = false;

  publish(subject: string, data: Uint8Array, headers: Record<string, string> = {}): void {
    for (const sub of [...this.subs]) {
      if (subjectMatches(sub.pattern, subject)) queueMicrotask(() => sub.handler({ subject, data, headers }));
    }
  }

  subscribe(subject: string, handler: (msg: BusMessage) => void): Subscription {
    const entry = { pattern: subject, handler };
    this.subs.add(entry);
    return { unsubscribe: () => this.subs.delete(entry) };
  }

  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array[]> {
    const listeners = [...this.subs].filter((sub) => subjectMatches(sub.pattern, subject));
    if (listeners.length === 0 || this.closed) return Promise.resolve([]);
    const collector = new ReplyCollector(options, () => undefined);
    const respond = (reply: Uint8Array): void => collector.add(reply);
    for (const sub of listeners) queueMicrotask(() => sub.handler({ subject, data, headers: {}, respond }));
    return collector.done;
  }

  async ensureStream(config: StreamConfig): Promise<void> {
    const existing = this.streams.get(config.name);
    if (existing) existing.config = config;
    else this.streams.set(config.name, { config, messages: [], base: 0, seen: new Map(), cursors: new Map(), wake: new Set() });
  }

  async publishDurable(subject: string, data: Uint8Array, options: { msgId: string; headers?: Record<string, string> }): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    const stream = [...this.streams.values()].find((s) => s.config.subjects.some((p) => subjectMatches(p, subject)));
    if (!stream) throw new Error(`no stream for subject ${subject}`);
    const now = Date.now();
    const window = stream.config.duplicateWindowMs ?? 120_000;
    const seenAt = stream.seen.get(options.msgId);
    if (seenAt !== undefined && now - seenAt < window) return;
    stream.seen.set(options.msgId, now);
    if (stream.seen.size > 10_000) forgetOlderThan(stream.seen, now - window);
    stream.messages.push({ subject, data, headers: options.headers ?? {}, msgId: options.msgId, seq: stream.base + stream.messages.length + 1, redelivered: false });
    for (const wake of stream.wake) wake();
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    const stream = this.streams.get(options.stream);
    if (!stream) throw new Error(`no stream ${options.stream}`);
    let running = true;
    let failures = 0;
    let filling = false;
    const loop = (async () => {
      while (running && !this.closed) {
        const from = stream.cursors.get(options.durable) ?? 0;
        const pending = stream.messages.slice(Math.max(0, from - stream.base)).filter((m) => !options.filterSubject || subjectMatches(options.filterSubject, m.subject));
        const last = stream.base + stream.messages.length;
        if (pending.length === 0) {
          if (last > from) stream.cursors.set(options.durable, last);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, options.maxWaitMs);
            function done(): void { clearTimeout(timer); stream!.wake.delete(done); resolve(); }
            stream.wake.add(done);
          });
          continue;
        }
        if (pending.length < options.batchSize && !filling) {
          // Like a JetStream fetch: give the batch up to maxWaitMs to fill, so a steady
          // trickle is written in batches rather than one message at a time.
          filling = true;
          await new Promise((r) => setTimeout(r, options.maxWaitMs));
          continue;
        }
        filling = false;
        const batch = pending.slice(0, options.batchSize).map((m) => ({ ...m, redelivered: failures > 0 }));
        try {
          await options.handler(batch);
          failures = 0;
          stream.cursors.set(options.durable, batch[batch.length - 1]!.seq);
          trimAcknowledged(stream);
        } catch (err) {
          failures++;
          options.onError?.(err);
          await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 1000));
        }
      }
    })();
    const stop = async (): Promise<void> => {
      running = false;
      for (const wake of stream.wake) wake();
      await loop;
    };
    return { stop, [Symbol.asyncDispose]: stop };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('bus closed');
  }

  async flush(): Promise<void> {
    await new Promise((r) => setImmediate(r));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.closed = true;
    this.subs.clear();
    for (const s of this.streams.values()) for (const wake of s.wake) wake();
  }
}
