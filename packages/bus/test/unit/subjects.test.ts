import { describe, it, expect } from 'vitest';
import { Prefixer, subjectMatches } from '../../src/index.js';

describe('subjects', () => {
  it('matches NATS wildcards', () => {
    expect(subjectMatches('audit.>', 'audit.llm')).toBe(true);
    expect(subjectMatches('audit.>', 'audit')).toBe(false);
    expect(subjectMatches('policy.*.key', 'policy.changed.key')).toBe(true);
    expect(subjectMatches('policy.*', 'policy.changed.key')).toBe(false);
    expect(subjectMatches('a.b', 'a.b')).toBe(true);
  });

  it('prefixes subjects and stream names and strips them back', () => {
    const p = new Prefixer('t_abc');
    expect(p.subject('audit.llm')).toBe('t_abc.audit.llm');
    expect(p.strip('t_abc.audit.llm')).toBe('audit.llm');
    expect(p.stream('AUDIT')).toBe('t_abcAUDIT');
    expect(new Prefixer('').subject('x')).toBe('x');
  });
});

describe('MemoryBus retention', () => {
  it('trims what every consumer acknowledged and keeps delivering in order', async () => {
    const { MemoryBus } = await import('../../src/index.js');
    const bus = new MemoryBus();
    await bus.ensureStream({ name: 'S', subjects: ['s.>'] });
    const seen: number[] = [];
    const c = await bus.consume({ stream: 'S', durable: 'd', batchSize: 500, maxWaitMs: 5, handler: async (b) => { seen.push(...b.map((m) => m.seq)); } });
    for (let i = 0; i < 5000; i++) await bus.publishDurable('s.x', new Uint8Array([1]), { msgId: String(i) });
    const end = Date.now() + 5000;
    while (seen.length < 5000 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    await c.stop();
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    const stored = (bus as unknown as { streams: Map<string, { messages: unknown[] }> }).streams.get('S')!.messages.length;
    expect(stored).toBeLessThan(1024 + 500);
    await bus[Symbol.asyncDispose]();
  });
});
