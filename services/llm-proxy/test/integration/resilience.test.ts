import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import { waitFor } from '@switchyard/testing';
import { body, dec, startHarness, type Chunk, type Harness } from './setup.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.[Symbol.asyncDispose]();
});
beforeEach(() => {
  h.sleeps.length = 0;
});

let n = 0;
/** A scenario id unique to this run, so fail counters never leak between tests. */
const scenario = (name: string) => `${name}-${Date.now()}-${++n}`;
const user = (text: string) => [{ role: 'user', content: text }];

async function failure(p: Promise<unknown>): Promise<SwitchyardError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (err instanceof SwitchyardError) return err;
  throw new Error(`expected a SwitchyardError, got ${String(err)}`);
}

async function metrics(): Promise<string> {
  return (await fetch(`${h.opsUrl}/metrics`)).text();
}

describe('retries', () => {
  it('rotates keys on 429 (with backoff) and succeeds', async () => {
    const id = scenario('rl');
    const res = await h.client.createChatCompletion({ body: body({ model: 'openai/gpt-4o', messages: user(`mock: fail=429 count=2 scenario=${id}`) }) });
    expect(h.requestsFor(id).map((r) => [r.apiKey, r.status])).toEqual([['sk-oa-1', 429], ['sk-oa-2', 429], ['sk-oa-1', 200]]);
    expect(res.outcome).toMatchObject({ provider: 'openai', keyName: 'k1', attempts: 3, fallbacksUsed: 0 });
    expect(await metrics()).toMatch(/switchyard_llm_retries_total\{[^}]*provider="openai",reason="rate_limited"[^}]*\} [2-9]/);
  });

  it('retries 5xx on the same key with exponential backoff', async () => {
    const id = scenario('5xx');
    const res = await h.client.createChatCompletion({ body: body({ model: 'openai/gpt-4o', messages: user(`mock: fail=503 count=2 scenario=${id}`) }) });
    expect(h.requestsFor(id).map((r) => r.apiKey)).toEqual(['sk-oa-1', 'sk-oa-1', 'sk-oa-1']);
    expect(h.sleeps).toEqual([4, 8]); // min(5·2^n, 20) × 0.8
    expect(res.outcome?.attempts).toBe(3);
  });

  it('marks 401/403 keys dead and rotates without backoff', async () => {
    const id = scenario('auth');
    const res = await h.client.createChatCompletion({ body: body({ model: 'keyring/gpt-4o', messages: user(`mock: scenario=${id}`) }) });
    expect(h.requestsFor(id).map((r) => [r.apiKey, r.status])).toEqual([['sk-dead', 401], ['sk-forbidden', 403], ['sk-good', 200]]);
    expect(h.sleeps).toEqual([]);
    expect(res.outcome).toMatchObject({ provider: 'keyring', keyName: 'good', attempts: 3 });
  });

  it('retries a stream that fails before its first chunk', async () => {
    const id = scenario('s5xx');
    const chunks: Chunk[] = [];
    let attempts = 0;
    for await (const m of h.client.streamChatCompletion({ body: body({ model: 'openai/gpt-4o', stream: true, messages: user(`mock: fail=500 count=1 scenario=${id}`) }) })) {
      if (m.event.case === 'chunk') chunks.push(dec(m.event.value) as Chunk);
      if (m.event.case === 'outcome') attempts = m.event.value.attempts;
    }
    expect(chunks.length).toBeGreaterThan(1);
    expect(attempts).toBe(2);
  });

  it('propagates a failure after the first chunk instead of retrying', async () => {
    const id = scenario('drop');
    const seen: Chunk[] = [];
    const err = await failure((async () => {
      for await (const m of h.client.streamChatCompletion({ body: body({ model: 'openai/gpt-4o', stream: true, messages: user(`mock: drop=mid chunks=8 scenario=${id}`) }) })) {
        if (m.event.case === 'chunk') seen.push(dec(m.event.value) as Chunk);
      }
    })());
    expect(seen.length).toBeGreaterThan(0);
    expect(err.kind).toBe('upstream_error');
    expect(h.requestsFor(id)).toHaveLength(1);
  });
});

describe('fallbacks', () => {
  it('falls back to the next provider after injected 500s, each target with its own budget', async () => {
    const id = scenario('fb');
    const res = await h.client.createChatCompletion({
      body: body({ model: 'openai/gpt-4o', fallbacks: ['anthropic/claude-sonnet-4-5'], messages: user(`mock: fail=500 count=3 scenario=${id}`) }),
    });
    expect(h.requestsFor(id).map((r) => [r.api, r.status])).toEqual([['openai', 500], ['openai', 500], ['openai', 500], ['anthropic', 200]]);
    expect(res.outcome).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-5', attempts: 4, fallbacksUsed: 1 });
    expect((dec(res.body) as Chunk).object).toBe('chat.completion');
    expect(await metrics()).toMatch(/switchyard_llm_fallbacks_total\{[^}]*from_provider="openai",to_provider="anthropic"[^}]*\} [1-9]/);
  });

  it('uses the configured fallbacks for a model', async () => {
    const id = scenario('cfg');
    const res = await h.client.createChatCompletion({ body: body({ model: 'openai/needs-fallback', messages: user(`mock: fail=502 count=3 scenario=${id}`) }) });
    expect(res.outcome).toMatchObject({ provider: 'anthropic', fallbacksUsed: 1 });
  });

  it('does not fall back (or retry) on a 400', async () => {
    const id = scenario('400');
    const err = await failure(h.client.createChatCompletion({
      body: body({ model: 'openai/gpt-4o', fallbacks: ['anthropic/claude-sonnet-4-5'], messages: user(`mock: status=400 scenario=${id}`) }),
    }));
    expect([err.kind, err.upstreamStatus]).toEqual(['invalid_argument', 400]);
    expect(err.message).toBe('mock: status directive (status 400)');
    expect(h.requestsFor(id)).toHaveLength(1);
  });
});

describe('timeouts and cancellation', () => {
  it('aborts the upstream request when the provider timeout passes', async () => {
    const id = scenario('hang');
    const start = Date.now();
    const err = await failure(h.client.createChatCompletion({ body: body({ model: 'slow/gpt-4o', messages: user(`mock: hang scenario=${id}`) }) }));
    expect(err.kind).toBe('upstream_timeout');
    expect(Date.now() - start).toBeLessThan(2_000);
    expect(h.requestsFor(id)).toHaveLength(1);
    await waitFor(() => h.relay.connections.some((c) => c.openedAt >= start && c.closedAt !== undefined), { timeoutMs: 1_000 });
  });

  it('aborts the upstream request when the call deadline (timeout_ms) passes', async () => {
    const start = Date.now();
    const err = await failure(h.client.createChatCompletion({ body: body({ model: 'slow/gpt-4o', messages: user('mock: latency=5000') }), timeoutMs: 100 }));
    expect(err.kind).toBe('upstream_timeout');
    // The call deadline fired, not the 300 ms provider timeout (which says "did not answer within").
    expect(err.message).toBe('request deadline exceeded');
    expect(Date.now() - start).toBeLessThan(2_000);
    await waitFor(() => h.relay.connections.some((c) => c.closedAt !== undefined && c.closedAt >= start), { timeoutMs: 1_000 });
  });

  it('aborts the upstream stream when the client cancels', async () => {
    const start = Date.now();
    const controller = new AbortController();
    const chunks: Chunk[] = [];
    // 40 events 100 ms apart: only a cancelled stream ends within a second.
    const consume = (async () => {
      for await (const m of h.client.streamChatCompletion({ body: body({ model: 'slow/gpt-4o', stream: true, messages: user('mock: chunks=40 interval=100') }) }, { signal: controller.signal })) {
        if (m.event.case === 'chunk') chunks.push(dec(m.event.value) as Chunk);
        if (chunks.length === 2) controller.abort();
      }
    })();
    const err = await consume.then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ kind: 'cancelled' });
    // Keep-alive would hold a finished connection open: only an aborted request closes it.
    await waitFor(() => h.relay.connections.some((c) => c.closedAt !== undefined && c.closedAt >= start), { timeoutMs: 1_500 });
    expect(Date.now() - start).toBeLessThan(2_500);
  });
});
