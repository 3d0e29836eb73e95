import { describe, expect, it } from 'vitest';
import { body, startHarness, type Harness } from './setup.js';

describe('graceful shutdown', () => {
  it('stops being ready, drains an in-flight stream, then closes', async () => {
    const h: Harness = await startHarness();
    let chunks = 0;
    let outcome = false;
    let disposing: PromiseLike<void> | undefined;
    // 12 events 50 ms apart: the stream is still running when shutdown starts.
    for await (const m of h.client.streamChatCompletion({ body: body({ model: 'openai/gpt-4o', stream: true, messages: [{ role: 'user', content: 'mock: chunks=10 interval=50' }] }) })) {
      if (m.event.case === 'chunk' && ++chunks === 1) {
        disposing = h.app[Symbol.asyncDispose]();
        expect(h.app.ready()).toBe(false);
        expect((await fetch(`${h.opsUrl}/readyz`)).status).toBe(503);
      }
      if (m.event.case === 'outcome') outcome = true;
    }
    expect(chunks).toBeGreaterThan(5);
    expect(outcome).toBe(true);
    await disposing;
    await expect(fetch(`${h.opsUrl}/healthz`)).rejects.toThrow();
    await h[Symbol.asyncDispose]();
  });
});
