import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LANE_RETRY_AFTER_MS, SessionLanes, type LaneFallback } from '../../src/domain/session-lanes.js';
import { RpcError, UpstreamError, type CallObserver, type JsonObject, type SessionEvents, type UpstreamSession } from '../../src/domain/ports.js';

/** An upstream connection that records what happens to it; `events` is what the pool gave it. */
class FakeUpstream implements UpstreamSession {
  readonly era = 'legacy' as const;
  closed = false;
  constructor(readonly pid: number, readonly events: SessionEvents) {}
  async catalog(): Promise<never> { throw new Error('lanes never list'); }
  async callTool(name: string): Promise<JsonObject> {
    if (this.closed) throw new UpstreamError('closed', 'closed');
    return { content: [{ type: 'text', text: `${name}@${this.pid}` }] };
  }
  async request(): Promise<JsonObject> { return {}; }
  async check(): Promise<void> {}
  async close(): Promise<void> { this.closed = true; }
}

function pool(opts: { max?: number; idleTtlMs?: number; failConnect?: () => boolean } = {}) {
  const opened: FakeUpstream[] = [];
  const fallbacks: LaneFallback[] = [];
  const events: string[] = [];
  let pid = 100;
  const lanes = new SessionLanes({
    client: 'c',
    max: opts.max ?? 2,
    idleTtlMs: opts.idleTtlMs ?? 1_000,
    open: async (ev, signal) => {
      if (opts.failConnect?.()) throw new UpstreamError('error', 'connect refused');
      if (signal.aborted) throw new UpstreamError('closed', 'aborted');
      const u = new FakeUpstream(pid++, ev);
      opened.push(u);
      return u;
    },
    onFallback: (r) => fallbacks.push(r),
    onEvent: (e, d) => events.push(`${e}:${String(d.reason ?? '')}`),
  });
  return { lanes, opened, fallbacks, events };
}

const observer = (log: JsonObject[], requests: string[] = []): CallObserver => ({
  onLog: (p) => log.push(p),
  onRequest: async (method) => { requests.push(method); return { ok: method }; },
});

describe('session lanes', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('opens a lane on a session\'s first call and reuses it for its later calls', async () => {
    const { lanes, opened } = pool();
    const a = await lanes.acquire('s1', undefined);
    a!.release();
    const b = await lanes.acquire('s1', undefined);
    b!.release();
    expect(opened).toHaveLength(1);
    expect(a!.session).toBe(b!.session);
    expect(lanes.size).toBe(1);
  });

  it('concurrent first calls of one session share one connect', async () => {
    const { lanes, opened } = pool();
    const [a, b] = await Promise.all([lanes.acquire('s1', undefined), lanes.acquire('s1', undefined)]);
    expect(opened).toHaveLength(1);
    expect(a!.session).toBe(b!.session);
  });

  it('at the cap a new session gets no lane (fallback counted) and existing sessions keep theirs', async () => {
    const { lanes, opened, fallbacks } = pool({ max: 2 });
    expect(await lanes.acquire('s1', undefined)).toBeDefined();
    expect(await lanes.acquire('s2', undefined)).toBeDefined();
    expect(await lanes.acquire('s3', undefined)).toBeUndefined();
    expect(fallbacks).toEqual(['cap']);
    expect(await lanes.acquire('s1', undefined)).toBeDefined();
    expect(opened).toHaveLength(2);
    expect(lanes.size).toBe(2);
  });

  it('max 0 means no lanes at all (and no fallback counted: nothing was asked of a pool that is off)', async () => {
    const { lanes, opened, fallbacks } = pool({ max: 0 });
    expect(await lanes.acquire('s1', undefined)).toBeUndefined();
    expect(opened).toHaveLength(0);
    expect(fallbacks).toEqual([]);
  });

  it('closes a lane after the idle TTL, never while a call runs, and reopens on the next call', async () => {
    const { lanes, opened, events } = pool({ idleTtlMs: 1_000 });
    const running = await lanes.acquire('s1', undefined);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(opened[0]!.closed).toBe(false);
    running!.release();
    await vi.advanceTimersByTimeAsync(999);
    expect(opened[0]!.closed).toBe(false);
    // A call inside the TTL restarts the clock.
    (await lanes.acquire('s1', undefined))!.release();
    await vi.advanceTimersByTimeAsync(999);
    expect(opened[0]!.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await lanes.settled();
    expect(opened[0]!.closed).toBe(true);
    expect(lanes.size).toBe(0);
    expect(events).toContain('mcp.lane.closed:idle');
    (await lanes.acquire('s1', undefined))!.release();
    expect(opened).toHaveLength(2);
  });

  it('closes the lane of a session that ended, and only that one', async () => {
    const { lanes, opened, events } = pool();
    (await lanes.acquire('s1', undefined))!.release();
    (await lanes.acquire('s2', undefined))!.release();
    expect(lanes.close('s1')).toBe(true);
    expect(lanes.close('unknown')).toBe(false);
    await lanes.settled();
    expect(opened.map((u) => u.closed)).toEqual([true, false]);
    expect(lanes.has('s1')).toBe(false);
    expect(lanes.has('s2')).toBe(true);
    expect(events).toContain('mcp.lane.closed:session_closed');
  });

  it('a session that ends while its lane connects gets no lane, and the connection is closed once open', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    const opened: FakeUpstream[] = [];
    const lanes = new SessionLanes({
      client: 'c', max: 2, idleTtlMs: 1_000,
      open: async (ev) => { await gate; const u = new FakeUpstream(1, ev); opened.push(u); return u; },
    });
    const pending = lanes.acquire('s1', undefined);
    lanes.close('s1');
    release();
    expect(await pending).toBeUndefined();
    await lanes.settled();
    expect(opened[0]!.closed).toBe(true);
  });

  it('a failed connect falls back (counted); no new lane is tried for a while, then one is', async () => {
    let fail = true;
    let attempts = 0;
    const { lanes, opened, fallbacks } = pool({ failConnect: () => { attempts++; return fail; } });
    expect(await lanes.acquire('s1', undefined)).toBeUndefined();
    expect(fallbacks).toEqual(['connect_failed']);
    expect(lanes.size).toBe(0);
    fail = false;
    // Inside the retry window: straight to the shared connection, no connect attempt.
    expect(await lanes.acquire('s2', undefined)).toBeUndefined();
    expect(attempts).toBe(1);
    expect(fallbacks).toEqual(['connect_failed', 'connect_failed']);
    await vi.advanceTimersByTimeAsync(LANE_RETRY_AFTER_MS);
    expect(await lanes.acquire('s1', undefined)).toBeDefined();
    expect(opened).toHaveLength(1);
  });

  it('a lane whose connection closed is dropped; the next call opens a new one', async () => {
    const { lanes, opened } = pool();
    const a = await lanes.acquire('s1', undefined);
    opened[0]!.closed = true;
    opened[0]!.events.onClosed();
    expect(lanes.size).toBe(0);
    a!.release(new UpstreamError('closed', 'gone'));
    const b = await lanes.acquire('s1', undefined);
    expect(b!.session).not.toBe(a!.session);
    expect(opened).toHaveLength(2);
  });

  it('a call failing with a closed connection drops the lane too', async () => {
    const { lanes, opened } = pool();
    const a = await lanes.acquire('s1', undefined);
    a!.release(new UpstreamError('closed', 'transport closed'));
    expect(lanes.size).toBe(0);
    await lanes.settled();
    expect(opened[0]!.closed).toBe(true);
  });

  it('logs and server requests on a lane go to its running call, else the first of several; never elsewhere', async () => {
    const { lanes, opened } = pool();
    const logs1: JsonObject[] = [];
    const logs2: JsonObject[] = [];
    const logsOther: JsonObject[] = [];
    const reqs1: string[] = [];
    const first = await lanes.acquire('s1', observer(logs1, reqs1));
    const other = await lanes.acquire('s2', observer(logsOther));
    const lane1 = opened[0]!.events;
    lane1.onLog?.({ data: 'one' });
    expect(await lane1.onRequest?.('sampling/createMessage', {}, new AbortController().signal)).toEqual({ ok: 'sampling/createMessage' });
    const second = await lanes.acquire('s1', observer(logs2));
    lane1.onLog?.({ data: 'two' });
    first!.release();
    lane1.onLog?.({ data: 'three' });
    expect(logs1).toEqual([{ data: 'one' }, { data: 'two' }]);
    expect(logs2).toEqual([{ data: 'three' }]);
    expect(reqs1).toEqual(['sampling/createMessage']);
    expect(logsOther).toEqual([]);
    second!.release();
    other!.release();
    // With no call running, a log is dropped and a request refused.
    lane1.onLog?.({ data: 'late' });
    await expect(lane1.onRequest?.('elicitation/create', {}, new AbortController().signal)).rejects.toBeInstanceOf(RpcError);
    expect(logs2).toHaveLength(1);
  });

  it('dispose closes every lane and gives no more', async () => {
    const { lanes, opened, events } = pool({ max: 3 });
    for (const s of ['s1', 's2', 's3']) (await lanes.acquire(s, undefined))!.release();
    await lanes[Symbol.asyncDispose]();
    expect(opened.every((u) => u.closed)).toBe(true);
    expect(lanes.size).toBe(0);
    expect(await lanes.acquire('s4', undefined)).toBeUndefined();
    expect(events.filter((e) => e === 'mcp.lane.closed:client_closed')).toHaveLength(3);
  });
});
