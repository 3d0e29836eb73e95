/** A message as handlers see it; the subject is without the deployment prefix. */
export interface BusMessage {
  subject: string;
  data: Uint8Array;
  headers: Record<string, string>;
  /** Present when the sender waits for replies (`Bus.request`): answers it. */
  respond?: (data: Uint8Array) => void;
}

export interface RequestOptions {
  /** Gives up after this long (the replies so far are returned). */
  timeoutMs: number;
  /**
   * Several responders may answer: after each reply, wait this much longer for another
   * (0 or absent: the first reply ends the request).
   */
  idleMs?: number;
  /** Ends the request at once at a reply for which this returns true. */
  until?: (reply: Uint8Array) => boolean;
}

export interface DurableMessage extends BusMessage {
  /** The publisher's message id (deduplication key). */
  msgId: string;
  /** Position in the stream. */
  seq: number;
  /** Delivered before and not acknowledged. */
  redelivered: boolean;
}

export interface StreamConfig {
  name: string;
  subjects: string[];
  /** How long messages are kept (default 7 days). */
  maxAgeMs?: number;
  /** Window in which a repeated msgId is dropped (default 2 minutes). */
  duplicateWindowMs?: number;
}

export interface ConsumeOptions {
  stream: string;
  /** Durable consumer name: survives restarts; replicas sharing it split the work. */
  durable: string;
  filterSubject?: string;
  /** Up to this many messages per handler call. */
  batchSize: number;
  /** How long to wait to fill a batch. */
  maxWaitMs: number;
  /** Resolve: the batch is acknowledged. Throw: it is redelivered after `retryDelayMs`. */
  handler: (batch: DurableMessage[]) => Promise<void>;
  retryDelayMs?: number;
  /** Called when a batch fails (for logs and metrics). */
  onError?: (err: unknown) => void;
}

export interface Consumer extends AsyncDisposable {
  /** Stops fetching and waits for the batch in hand. */
  stop(): Promise<void>;
}

export interface Subscription {
  unsubscribe(): void;
}

/**
 * The event bus: core publish/subscribe (cache invalidation) and durable streams
 * (audit). `NatsBus` is the real one; `MemoryBus` serves the embedded, one-process mode.
 */
export interface Bus extends AsyncDisposable {
  readonly kind: 'nats' | 'memory';
  /** Fire and forget. */
  publish(subject: string, data: Uint8Array, headers?: Record<string, string>): void;
  subscribe(subject: string, handler: (msg: BusMessage) => void): Subscription;
  /**
   * Request/reply on a core subject: the replies that came, in order; none when nobody
   * listens (NATS answers "no responders" at once) or nobody answered in time.
   */
  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array[]>;
  /** Creates or updates a stream. */
  ensureStream(config: StreamConfig): Promise<void>;
  /** Resolves once the stream has stored the message. */
  publishDurable(subject: string, data: Uint8Array, options: { msgId: string; headers?: Record<string, string> }): Promise<void>;
  consume(options: ConsumeOptions): Promise<Consumer>;
  /** Rejects when the bus is not usable (readiness). */
  ping(): Promise<void>;
  /** Waits until published core messages reached the server. */
  flush(): Promise<void>;
}
