import { describe, it, expect, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MemoryBus, NatsBus, DurablePublisher, type Bus, type DurableMessage } from '../../src/index.js';

const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const made: Bus[] = [];
async function makeBus(kind: 'memory' | 'nats', prefix: string): Promise<Bus> {
  const bus = kind === 'memory' ? new MemoryBus() : await NatsBus.connect({ url: natsUrl, prefix });
  made.push(bus);
  return bus;
}

afterAll(async () => {
  for (const b of made) {
    if (b instanceof NatsBus) await b.deleteStream('AUDIT');
    await b[Symbol.asyncDispose]();
  }
});

describe.each(['memory', 'nats'] as const)('%s bus', (kind) => {
  const prefix = `t_${randomBytes(4).toString('hex')}`;

  it('request/reply: the first reply, every reply within the idle window, until, and none when nobody listens', async () => {
    const bus = await makeBus(kind, prefix);
    expect(await bus.request('relay.nobody', enc('x'), { timeoutMs: 2000 })).toEqual([]);
    const subs = [
      bus.subscribe('relay.one', (m) => m.respond?.(enc(`one:${dec(m.data)}`))),
      bus.subscribe('relay.all', (m) => m.respond?.(enc('no'))),
      bus.subscribe('relay.all', (m) => m.respond?.(enc('yes'))),
      bus.subscribe('relay.all', (m) => m.respond?.(enc('no'))),
      bus.subscribe('relay.silent', () => undefined),
    ];
    await bus.flush();
    expect((await bus.request('relay.one', enc('ping'), { timeoutMs: 2000 })).map(dec)).toEqual(['one:ping']);
    expect((await bus.request('relay.all', enc('?'), { timeoutMs: 2000, idleMs: 200 })).map(dec).sort()).toEqual(['no', 'no', 'yes']);
    const early = (await bus.request('relay.all', enc('?'), { timeoutMs: 2000, idleMs: 1000, until: (r) => dec(r) === 'yes' })).map(dec);
    expect(early.at(-1)).toBe('yes');
    const started = Date.now();
    expect(await bus.request('relay.silent', enc('?'), { timeoutMs: 150 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    for (const sub of subs) sub.unsubscribe();
  });

  it('delivers core messages by wildcard with headers, and stops after unsubscribe', async () => {
    const bus = await makeBus(kind, prefix);
    const got: string[] = [];
    const sub = bus.subscribe('policy.changed.>', (m) => got.push(`${m.subject}:${dec(m.data)}:${m.headers.traceparent ?? ''}`));
    await bus.flush();
    bus.publish('policy.changed.key', enc('k1'), { traceparent: 'tp' });
    bus.publish('catalog.changed', enc('ignored'));
    await until(() => got.length === 1);
    expect(got).toEqual(['policy.changed.key:k1:tp']);
    sub.unsubscribe();
    bus.publish('policy.changed.key', enc('k2'));
    await bus.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toHaveLength(1);
  });

  it('stores durable messages once per msgId and resumes a durable consumer where it acked', async () => {
    const bus = await makeBus(kind, prefix);
    await bus.ensureStream({ name: 'AUDIT', subjects: ['audit.>'] });
    for (let i = 0; i < 5; i++) await bus.publishDurable('audit.llm', enc(`e${i}`), { msgId: `id-${i}` });
    await bus.publishDurable('audit.llm', enc('e0-again'), { msgId: 'id-0' });

    const seen: DurableMessage[] = [];
    let failOnce = true;
    const consumer = await bus.consume({
      stream: 'AUDIT', durable: 'writer', batchSize: 3, maxWaitMs: 200, retryDelayMs: 50,
      handler: async (batch) => {
        if (failOnce) { failOnce = false; throw new Error('db down'); }
        seen.push(...batch);
      },
    });
    await until(() => seen.length >= 5);
    await consumer.stop();
    // A failed batch is redelivered (order across redeliveries is not a contract: consumers are idempotent).
    expect(seen.map((m) => dec(m.data)).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    const first = seen.find((m) => dec(m.data) === 'e0')!;
    expect(first.msgId).toBe('id-0');
    expect(first.redelivered).toBe(true);

    await bus.publishDurable('audit.llm', enc('e5'), { msgId: 'id-5' });
    const later: string[] = [];
    const again = await bus.consume({ stream: 'AUDIT', durable: 'writer', batchSize: 10, maxWaitMs: 200, handler: async (b) => { later.push(...b.map((m) => dec(m.data))); } });
    await until(() => later.length >= 1);
    await again.stop();
    expect(later).toEqual(['e5']);
  });

  it('publishes through the non-blocking buffered publisher', async () => {
    const bus = await makeBus(kind, prefix);
    await bus.ensureStream({ name: 'AUDIT', subjects: ['audit.>'] });
    const pub = new DurablePublisher(bus, { maxBuffered: 1000 });
    for (let i = 0; i < 50; i++) pub.enqueue('audit.tool', enc(`t${i}`), `tool-${i}`);
    await pub.flush();
    expect(pub.buffered).toBe(0);
    const got: string[] = [];
    const c = await bus.consume({ stream: 'AUDIT', durable: 'tools', filterSubject: 'audit.tool', batchSize: 100, maxWaitMs: 200, handler: async (b) => { got.push(...b.map((m) => dec(m.data))); } });
    await until(() => got.length >= 50);
    await c.stop();
    expect(new Set(got).size).toBe(50);
  });
});

describe('DurablePublisher', () => {
  it('never blocks, bounds its buffer while the bus is down, and counts drops', async () => {
    const bus = new MemoryBus(); // no stream: every publish fails
    const pub = new DurablePublisher(bus, { maxBuffered: 10, retryDelayMs: 10 });
    const t0 = performance.now();
    for (let i = 0; i < 25; i++) pub.enqueue('audit.llm', enc(String(i)), String(i));
    expect(performance.now() - t0).toBeLessThan(500); // no await anywhere: far below one 10 ms retry delay per message
    expect(pub.buffered).toBeLessThanOrEqual(10);
    expect(pub.dropped).toBe(15);
    await bus.ensureStream({ name: 'AUDIT', subjects: ['audit.>'] });
    await pub.flush(2000);
    expect(pub.buffered).toBe(0);
  });
});
