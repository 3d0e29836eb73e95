import { describe, expect, it } from 'vitest';
import type { McpTool } from '../../src/domain/mcp-tools.js';
import type { ToolCatalogSource } from '../../src/domain/ports.js';
import { ToolCatalogCache } from '../../src/domain/tool-catalog.js';

const echo: McpTool = { name: 'everything-echo', client: 'everything', description: undefined, parameters: {} };

class FakeSource implements ToolCatalogSource {
  calls = 0;
  fail = false;
  tools: McpTool[] = [echo];
  async list(): Promise<{ tools: McpTool[]; version: string }> {
    this.calls++;
    if (this.fail) throw new Error('unavailable');
    return { tools: this.tools, version: `v${this.calls}` };
  }
}

function setup(): { source: FakeSource; cache: ToolCatalogCache; clock: { t: number }; errors: boolean[] } {
  const source = new FakeSource();
  const clock = { t: 0 };
  const errors: boolean[] = [];
  const cache = new ToolCatalogCache(source, { ttlMs: 1_000, retryMs: 100, now: () => clock.t, onError: (_e, first) => errors.push(first) });
  return { source, cache, clock, errors };
}

describe('ToolCatalogCache', () => {
  it('waits for the first fetch, then answers synchronously while fresh', async () => {
    const { source, cache } = setup();
    const first = cache.tools();
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual([echo]);
    expect(cache.tools()).toEqual([echo]);
    expect(source.calls).toBe(1);
  });

  it('serves the stale catalog after the TTL while one refresh runs', async () => {
    const { source, cache, clock } = setup();
    await cache.refresh();
    clock.t = 2_000;
    source.tools = [];
    expect(cache.tools()).toEqual([echo]);
    expect(cache.tools()).toEqual([echo]);
    await cache.refresh();
    expect(source.calls).toBe(2);
    expect(cache.tools()).toEqual([]);
  });

  it('refetches on invalidate, and again when invalidated mid-fetch', async () => {
    const { source, cache } = setup();
    await cache.refresh();
    const during = cache.refresh();
    cache.invalidate();
    await during;
    await new Promise((r) => setTimeout(r, 5));
    // The fetch that was running when the change came may predate it: one more follows on its own.
    expect(source.calls).toBe(3);
    expect(cache.version).toBe('v3');
  });

  it('never rejects: a failing source yields the last catalog (empty at first), reported once', async () => {
    const { source, cache, clock, errors } = setup();
    source.fail = true;
    expect(await cache.tools()).toEqual([]);
    expect(cache.tools()).toEqual([]);
    clock.t = 200;
    // Past retryMs: the retry runs in the background; the request is not made to wait.
    expect(cache.tools()).toEqual([]);
    await cache.refresh();
    expect(errors).toEqual([true, false]);
    expect(source.calls).toBe(2);
    source.fail = false;
    clock.t = 400;
    expect(cache.tools()).toEqual([]);
    await cache.refresh();
    expect(cache.tools()).toEqual([echo]);
    expect(clientOf(cache)).toBe('everything');
  });

  it('never makes a request wait again after a failed first fetch (connector down or not deployed)', async () => {
    const { source, cache, clock } = setup();
    source.fail = true;
    expect(await cache.tools()).toEqual([]);
    clock.t = 500;
    const answer = cache.tools();
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toEqual([]);
  });
});

function clientOf(cache: ToolCatalogCache): string {
  return cache.clientOf('everything-echo');
}
