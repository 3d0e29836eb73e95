import {
  AckPolicy, DeliverPolicy, StorageType, connect, createInbox, headers as natsHeaders, nanos,
  type JetStreamClient, type JetStreamManager, type MsgHdrs, type NatsConnection,
} from 'nats';
import type { Bus, BusMessage, ConsumeOptions, Consumer, DurableMessage, RequestOptions, StreamConfig, Subscription } from './types.js';
import { ReplyCollector } from './reply-collector.js';
import { Prefixer } from './subjects.js';

export interface NatsBusOptions {
  url: string;
  /** Prefix for every subject and stream (a deployment or a test run). */
  prefix?: string;
  /** Connection name shown by the server. */
  name?: string;
}

function toHeaders(record: Record<string, string> | undefined): MsgHdrs | undefined {
  if (!record || Object.keys(record).length === 0) return undefined;
  const h = natsHeaders();
  for (const [k, v] of Object.entries(record)) h.set(k, v);
  return h;
}

function fromHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const k of h.keys()) out[k] = h.get(k);
  return out;
}

/** The bus on a NATS server with JetStream: core subjects for events, streams for audit. */
export class NatsBus implements Bus {
  readonly kind = 'nats' as const;
  private readonly names: Prefixer;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    prefix: string,
  ) {
    this.names = new Prefixer(prefix);
  }

  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    const nc = await connect({
      servers: options.url.split(','),
      name: options.name ?? 'switchyard',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: false,
    });
    const jsm = await nc.jetstreamManager();
    return new NatsBus(nc, nc.jetstream(), jsm, options.prefix ?? '');
  }

  publish(subject: string, data: Uint8Array, headers?: Record<string, string>): void {
    const h = toHeaders(headers);
    this.nc.publish(this.names.subject(subject), data, h ? { headers: h } : undefined);
  }

  subscribe(subject: string, handler: (msg: BusMessage) => void): Subscription {
    const sub = this.nc.subscribe(this.names.subject(subject), {
      callback: (err, msg) => {
        if (err) return;
        const message: BusMessage = { subject: this.names.strip(msg.subject), data: msg.data, headers: fromHeaders(msg.headers) };
        if (msg.reply) message.respond = (data) => { msg.respond(data); };
        handler(message);
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array[]> {
    const inbox = createInbox();
    const collector = new ReplyCollector(options, () => sub.unsubscribe());
    const sub = this.nc.subscribe(inbox, {
      callback: (err, msg) => {
        // An error, or the server's "no responders" status (503, empty body): nobody listens.
        if (err || (msg.data.length === 0 && msg.headers?.code === 503)) collector.finish();
        else collector.add(msg.data);
      },
    });
    this.nc.publish(this.names.subject(subject), data, { reply: inbox });
    return collector.done;
  }

  async ensureStream(config: StreamConfig): Promise<void> {
    const name = this.names.stream(config.name);
    const settings = {
      subjects: config.subjects.map((s) => this.names.subject(s)),
      max_age: nanos(config.maxAgeMs ?? 7 * 24 * 3600 * 1000),
      duplicate_window: nanos(config.duplicateWindowMs ?? 120_000),
    };
    try {
      await this.jsm.streams.info(name);
      await this.jsm.streams.update(name, settings);
    } catch (err) {
      if (!String(err).includes('stream not found')) throw err;
      await this.jsm.streams.add({ name, storage: StorageType.File, ...settings });
    }
  }

  async publishDurable(subject: string, data: Uint8Array, options: { msgId: string; headers?: Record<string, string> }): Promise<void> {
    const h = toHeaders(options.headers);
    await this.js.publish(this.names.subject(subject), data, { msgID: options.msgId, ...(h ? { headers: h } : {}) });
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    const stream = this.names.stream(options.stream);
    await this.jsm.consumers.add(stream, {
      durable_name: options.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(30_000),
      max_ack_pending: Math.max(1000, options.batchSize * 4),
      ...(options.filterSubject ? { filter_subject: this.names.subject(options.filterSubject) } : {}),
    });
    const consumer = await this.js.consumers.get(stream, options.durable);
    let running = true;
    const loop = (async () => {
      while (running && !this.nc.isClosed()) {
        try {
          const iter = await consumer.fetch({ max_messages: options.batchSize, expires: Math.max(1000, options.maxWaitMs) });
          const raw = [];
          for await (const m of iter) raw.push(m);
          if (raw.length === 0) continue;
          const batch: DurableMessage[] = raw.map((m) => ({
            subject: this.names.strip(m.subject),
            data: m.data,
            headers: fromHeaders(m.headers),
            msgId: m.headers?.get('Nats-Msg-Id') ?? '',
            seq: m.seq,
            redelivered: m.redelivered,
          }));
          try {
            await options.handler(batch);
            for (const m of raw) m.ack();
          } catch (err) {
            options.onError?.(err);
            for (const m of raw) m.nak(options.retryDelayMs ?? 1000);
          }
        } catch (err) {
          if (!running || this.nc.isClosed()) break;
          options.onError?.(err);
          await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 1000));
        }
      }
    })();
    const stop = async (): Promise<void> => {
      running = false;
      await loop;
    };
    return { stop, [Symbol.asyncDispose]: stop };
  }

  async ping(): Promise<void> {
    if (this.nc.isClosed()) throw new Error('nats connection closed');
    await this.nc.rtt();
  }

  async flush(): Promise<void> {
    await this.nc.flush();
  }

  /** Removes a stream (tests clean up their own). */
  async deleteStream(name: string): Promise<void> {
    await this.jsm.streams.delete(this.names.stream(name)).catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}
