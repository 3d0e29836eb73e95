export type { Bus, BusMessage, RequestOptions, DurableMessage, StreamConfig, ConsumeOptions, Consumer, Subscription } from './types.js';
export { MemoryBus } from './memory-bus.js';
export { NatsBus, type NatsBusOptions } from './nats-bus.js';
export { DurablePublisher, type DurablePublisherOptions } from './durable-publisher.js';
export { Prefixer, subjectMatches } from './subjects.js';

import type { Bus } from './types.js';
import { MemoryBus } from './memory-bus.js';
import { NatsBus } from './nats-bus.js';

/** NATS when a URL is given, else the in-process bus. */
export async function createBus(options: { url?: string | undefined; prefix?: string; name?: string }): Promise<Bus> {
  if (!options.url) return new MemoryBus();
  return NatsBus.connect({ url: options.url, prefix: options.prefix ?? '', name: options.name ?? 'switchyard' });
}
