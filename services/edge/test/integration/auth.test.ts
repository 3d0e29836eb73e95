import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO, call, chat, startHarness, waitFor, type Harness } from './harness.js';

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

describe('optional auth over NATS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ bus: 'nats' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is open while no key exists (a presented key is ignored)', async () => {
    expect((await chat(h.url, HELLO)).status).toBe(200);
    expect((await chat(h.url, HELLO, bearer('sk-whatever'))).status).toBe(200);
    expect(h.fakes.llm.calls.at(-1)?.keyId).toBe('');
  });

  it('closes as soon as the first key exists (PolicyChanged), and then needs a valid key', async () => {
    const { id, secret } = h.fakes.governance.addKey({ name: 'first' });
    const r = await waitFor(async () => {
      const reply = await chat(h.url, HELLO);
      return reply.status === 401 ? reply : undefined;
    }, 2_000);
    expect(r.json.error).toMatchObject({ type: 'authentication_error', code: 'missing_api_key' });

    const ok = await chat(h.url, HELLO, bearer(secret));
    expect(ok.status).toBe(200);
    expect(h.fakes.llm.calls.at(-1)?.keyId).toBe(id);

    const viaHeader = await chat(h.url, HELLO, { 'x-api-key': secret });
    expect(viaHeader.status).toBe(200);

    const unknown = await chat(h.url, HELLO, bearer('sk-not-a-key'));
    expect(unknown.status).toBe(401);
    expect(unknown.json.error).toMatchObject({ code: 'invalid_api_key', message: 'invalid API key' });
  });

  it('enforces allowed_models patterns with 403 model_not_allowed', async () => {
    const { secret } = h.fakes.governance.addKey({ allowedModels: ['openai/*', 'anthropic/claude-3-5-haiku'] });
    expect((await chat(h.url, { ...HELLO, model: 'openai/gpt-4o' }, bearer(secret))).status).toBe(200);
    expect((await chat(h.url, { ...HELLO, model: 'anthropic/claude-3-5-haiku' }, bearer(secret))).status).toBe(200);
    const denied = await chat(h.url, { ...HELLO, model: 'anthropic/claude-opus-4' }, bearer(secret));
    expect(denied.status).toBe(403);
    expect(denied.json.error).toEqual({
      message: "this API key may not use model 'anthropic/claude-opus-4'", type: 'permission_error', param: 'model', code: 'model_not_allowed',
    });
  });

  it('filters /v1/models to the key’s allowed models', async () => {
    const { secret } = h.fakes.governance.addKey({ allowedModels: ['openai/*'] });
    const r = await call(`${h.url}/v1/models`, { headers: bearer(secret) });
    expect(r.status).toBe(200);
    expect((r.json.data as { id: string }[]).map((m) => m.id)).toEqual(['openai/gpt-4o-mini', 'openai/gpt-4o']);
    const all = await call(`${h.url}/v1/models`, { headers: bearer(h.fakes.governance.addKey({}).secret) });
    expect((all.json.data as unknown[]).length).toBe(3);
    expect((await call(`${h.url}/v1/models`)).status).toBe(401);
  });

  it('rejects expired keys with key_expired', async () => {
    const { secret } = h.fakes.governance.addKey({ expiresAt: new Date(Date.now() - 1_000) });
    const r = await chat(h.url, HELLO, bearer(secret));
    expect(r.status).toBe(401);
    expect(r.json.error?.code).toBe('key_expired');
  });

  it('a key disabled through a PolicyChanged event stops working within one second', async () => {
    const { id, secret } = h.fakes.governance.addKey({});
    expect((await chat(h.url, HELLO, bearer(secret))).status).toBe(200);
    expect((await chat(h.url, HELLO, bearer(secret))).status).toBe(200); // served from the cache
    const disabledAt = Date.now();
    h.fakes.governance.setEnabled(id, false);
    const r = await waitFor(async () => {
      const reply = await chat(h.url, HELLO, bearer(secret));
      return reply.status === 401 ? reply : undefined;
    }, 1_000, 10);
    expect(Date.now() - disabledAt).toBeLessThan(1_000);
    expect(r.json.error?.code).toBe('key_disabled');
  });

  it('concurrent misses for one key share one governance lookup', async () => {
    const { secret } = h.fakes.governance.addKey({});
    h.fakes.governance.lookupDelayMs = 150;
    const before = h.fakes.governance.lookups;
    const replies = await Promise.all(Array.from({ length: 10 }, () => chat(h.url, HELLO, bearer(secret))));
    h.fakes.governance.lookupDelayMs = 0;
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(h.fakes.governance.lookups - before).toBe(1);
  });
});

describe('governance outage', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ bus: 'memory' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps serving cached keys, fails closed (503) for others, and /readyz says so', async () => {
    const { secret } = h.fakes.governance.addKey({});
    await waitFor(async () => (await chat(h.url, HELLO)).status === 401, 2_000);
    expect((await chat(h.url, HELLO, bearer(secret))).status).toBe(200);
    expect((await call(`${h.url}/readyz`)).status).toBe(200);

    await h.fakes.handles.governance.shutdown(100);

    expect((await chat(h.url, HELLO, bearer(secret))).status).toBe(200);
    const other = await chat(h.url, HELLO, bearer('sk-uncached'));
    expect(other.status).toBe(503);
    expect(other.json.error).toMatchObject({ message: 'authorization service unavailable', type: 'server_error' });
    const ready = await call(`${h.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: 'unavailable', checks: { governance: 'unavailable', llm_proxy: 'ok', telemetry: 'ok', bus: 'ok' } });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_edge_policy_cache_total\{result="error"[^}]*\} [1-9]/);
  });
});

describe('required auth', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ bus: 'memory', overrides: { auth: 'required' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('needs a key even when none exists', async () => {
    const r = await chat(h.url, HELLO);
    expect(r.status).toBe(401);
    expect(r.json.error?.code).toBe('missing_api_key');
    const { secret } = h.fakes.governance.addKey({});
    expect((await chat(h.url, HELLO, bearer(secret))).status).toBe(200);
  });
});
