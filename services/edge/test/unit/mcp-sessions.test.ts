import { describe, expect, it } from 'vitest';
import { MemorySessionStore, needsLane, takesServerRequests, type McpSessionRecord } from '../../src/domain/mcp-sessions.js';

const record = (scope: string, at: number): McpSessionRecord => ({
  scope, keyId: 'k1', endpoint: '/mcp', protocolVersion: '2025-11-25', clientInfo: { name: 'c' }, capabilities: {}, createdAt: at, lastSeenAt: at,
});

describe('MemorySessionStore (embedded mode without REDIS_URL)', () => {
  it('expires an idle session, and each touch restarts the idle TTL', async () => {
    let now = 1_000;
    await using store = new MemorySessionStore(100, () => now);
    await store.create('s1', record('k1\0', now));
    now += 90;
    expect(await store.touch('s1', now)).toEqual({ scope: 'k1\0', protocolVersion: '2025-11-25', serverRequests: false });
    now += 90; // 180 ms after creation, 90 after the touch
    expect((await store.get('s1'))?.lastSeenAt).toBe(1_090);
    now += 20;
    expect(await store.touch('s1', now)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('deletes only for the owning scope; a deleted session is unknown', async () => {
    await using store = new MemorySessionStore(60_000);
    await store.create('s2', record('k1\0', Date.now()));
    expect(await store.delete('s2', 'k2\0')).toBe(false);
    expect(await store.delete('s2', 'k1\0')).toBe(true);
    expect(await store.touch('s2', Date.now())).toBeUndefined();
    expect(await store.delete('s2', 'k1\0')).toBe(false);
  });

  it('keeps the log level with the session until it expires', async () => {
    let now = 1_000;
    await using store = new MemorySessionStore(100, () => now);
    await store.create('s3', record('k1\0', now));
    expect(await store.setLogLevel('s3', 'error')).toBe(true);
    expect((await store.touch('s3', now))?.logLevel).toBe('error');
    now += 200;
    expect(await store.setLogLevel('s3', 'debug')).toBe(false);
  });

  it('a session takes server requests when its client declared sampling, elicitation or roots', async () => {
    await using store = new MemorySessionStore(60_000);
    await store.create('caps', { ...record('k1\0', Date.now()), capabilities: { elicitation: { form: {} } } });
    expect((await store.touch('caps', Date.now()))?.serverRequests).toBe(true);
  });
});

describe('which streamed calls get a session lane', () => {
  it('a client that takes server requests, or that set a log level; no other', () => {
    expect(takesServerRequests({ sampling: {} })).toBe(true);
    expect(takesServerRequests({ roots: { listChanged: true } })).toBe(true);
    expect(takesServerRequests({ elicitation: {} })).toBe(true);
    expect(takesServerRequests({ experimental: {} })).toBe(false);
    expect(takesServerRequests(null)).toBe(false);
    expect(takesServerRequests({ sampling: true })).toBe(false);
    const plain = { scope: 's', protocolVersion: '2025-11-25', logLevel: undefined, serverRequests: false };
    expect(needsLane(plain)).toBe(false);
    expect(needsLane({ ...plain, serverRequests: true })).toBe(true);
    expect(needsLane({ ...plain, logLevel: 'info' })).toBe(true);
  });
});
