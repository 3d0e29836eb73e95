import { describe, it, expect } from 'vitest';
import { MemoryBus } from '@switchyard/bus';
import { openPglite } from '@switchyard/db';
import { STREAMS, SUBJECTS } from '@switchyard/proto';
import { waitFor } from '@switchyard/testing';
import { metricValue } from '../fixtures.js';
import { listAll, newEvent, publish, startApp, testConfig } from './harness.js';

describe('telemetry embedded (PGlite and the in-process bus)', () => {
  it('stores events once, skips poison, and resumes where it stopped after a restart', async () => {
    const pglite = await openPglite();
    await using bus = new MemoryBus();
    try {
      const config = testConfig({ backends: { database_schema: 'telemetry' } });
      await bus.ensureStream({ name: STREAMS.audit, subjects: [SUBJECTS.auditAll] });
      const first = await startApp(config, { bus, pglite });
      const events = Array.from({ length: 20 }, (_, i) => newEvent({ keyId: 'vk_embedded', kind: i % 2 ? 'llm' : 'admin' }));
      for (const e of events) await publish(bus, e);
      await bus.publishDurable(SUBJECTS.auditAdmin, new Uint8Array([0xff, 0xff]), { msgId: 'poison' });
      await publish(bus, events[0]!, 'late-duplicate');
      await waitFor(async () => (await metricValue(first.app.registry, 'switchyard_audit_poison_messages_total')) === 1);
      await waitFor(async () => (await listAll(first.client, { keyId: 'vk_embedded' })).length === 20);
      expect(await metricValue(first.app.registry, 'switchyard_audit_events_written_total', { kind: 'admin' })).toBe(10);
      expect(await first.app.ready()).toBe(true);
      await first[Symbol.asyncDispose]();
      expect(await first.app.ready()).toBe(false);

      // The injected bus outlives the app; events published meanwhile wait for the next one.
      await bus.ping();
      const later = Array.from({ length: 5 }, () => newEvent({ keyId: 'vk_embedded' }));
      for (const e of later) await publish(bus, e);
      await using second = await startApp(config, { bus, pglite });
      await waitFor(async () => (await listAll(second.client, { keyId: 'vk_embedded' })).length === 25);
      const all = await listAll(second.client, { keyId: 'vk_embedded' }, 3);
      expect(new Set(all.map((e) => e.eventId))).toEqual(new Set([...events, ...later].map((e) => e.eventId)));
      expect(await metricValue(second.app.registry, 'switchyard_audit_events_written_total')).toBe(5);
    } finally {
      await pglite.close();
    }
  });
});
