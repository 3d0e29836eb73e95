import { createClient, edge } from '@switchyard/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO, call, chat, startHarness, waitFor, type Harness } from './harness.js';

describe('ops endpoints', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ bus: 'nats' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('/healthz and /readyz', async () => {
    const health = await call(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
    const ready = await call(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ status: 'ok', checks: { governance: 'ok', llm_proxy: 'ok', telemetry: 'ok', bus: 'ok' } });
  });

  it('/metrics has requests by route and status, latency, tokens and cache results', async () => {
    await chat(h.url, HELLO);
    await chat(h.url, '{');
    await call(`${h.url}/healthz`);
    const res = await fetch(`${h.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/switchyard_http_requests_total\{route="\/v1\/chat\/completions",status="200"[^}]*\} [1-9]/);
    expect(text).toMatch(/switchyard_http_requests_total\{route="\/v1\/chat\/completions",status="400"[^}]*\} [1-9]/);
    expect(text).toMatch(/switchyard_http_requests_total\{route="\/healthz",status="200"[^}]*\} [1-9]/);
    expect(text).toMatch(/switchyard_http_request_seconds_count\{[^}]*route="\/v1\/chat\/completions"[^}]*\} [1-9]/);
    expect(text).toMatch(/switchyard_llm_tokens_total\{type="prompt"[^}]*\} 11/);
    expect(text).toContain('switchyard_edge_policy_cache_total');
    expect(text).toContain('switchyard_audit_dropped_total');
  });

  it('EdgeAdminService reports and flushes the policy cache', async () => {
    const { secret } = h.fakes.governance.addKey({});
    await waitFor(async () => (await chat(h.url, HELLO)).status === 401, 2_000);
    await chat(h.url, HELLO, { authorization: `Bearer ${secret}` });
    await chat(h.url, HELLO, { authorization: `Bearer ${secret}` });
    using admin = createClient(edge.EdgeAdminService, `127.0.0.1:${h.grpcPort}`);
    const stats = await admin.client.getPolicyCacheStats({});
    expect(stats.entries).toBe(1n);
    expect(stats.hits).toBeGreaterThanOrEqual(1n);
    expect(stats.misses).toBeGreaterThanOrEqual(1n);
    expect((await admin.client.flushPolicyCache({})).dropped).toBe(1n);
    expect((await admin.client.getPolicyCacheStats({})).entries).toBe(0n);
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const h = await startHarness({ bus: 'memory', overrides: { shutdown_grace_ms: 5_000 } });
    try {
      const inflight = chat(h.url, { ...HELLO, model: 'delay/200' });
      await waitFor(() => h.fakes.llm.calls.length > 0);
      const started = Date.now();
      await h.app[Symbol.asyncDispose]();
      const took = Date.now() - started;
      expect((await inflight).status).toBe(200);
      expect(took).toBeGreaterThanOrEqual(100);
      expect(took).toBeLessThan(2_000);
      await expect(fetch(`${h.url}/healthz`)).rejects.toThrow();
    } finally {
      await h.close();
    }
  });

  it('waits for in-flight requests, then cuts what outlives the grace period and cancels upstream', async () => {
    const h = await startHarness({ bus: 'memory', overrides: { shutdown_grace_ms: 300 } });
    try {
      const slow = chat(h.url, { ...HELLO, model: 'slow/x' }).catch((err: unknown) => err);
      await waitFor(() => h.fakes.llm.calls.length > 0);
      const started = Date.now();
      await h.app[Symbol.asyncDispose]();
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(await slow).toBeInstanceOf(Error);
      await waitFor(() => h.fakes.llm.cancelled === 1, 2_000);
      await expect(fetch(`${h.url}/healthz`)).rejects.toThrow();
    } finally {
      await h.close();
    }
  });
});
