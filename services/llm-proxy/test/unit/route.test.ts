import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import type { ChatUpstream, RouterEvents, UpstreamCall } from '../../src/domain/ports.js';
import { routeCompletion, routeStream, type RouterDeps } from '../../src/domain/route.js';
import type { ChunkStream, Target } from '../../src/domain/types.js';
import { chatRequest, key, provider, text } from './helpers.js';

type Step = SwitchyardError | 'ok' | { chunks: string[]; failAfter?: SwitchyardError };

const enc = new TextEncoder();
const http = (status: number, retryAfterSeconds?: number) =>
  status === 401 || status === 403
    ? new SwitchyardError('upstream_rejected', `rejected ${status}`, { upstreamStatus: status })
    : status >= 400 && status < 500 && status !== 429
      ? new SwitchyardError('invalid_argument', `bad ${status}`, { upstreamStatus: status })
      : new SwitchyardError('upstream_error', `failed ${status}`, { upstreamStatus: status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });

/** An upstream that answers each call with the next step for its provider. */
function fakeUpstream(steps: Record<string, Step[]>) {
  const calls: string[] = [];
  const next = (call: UpstreamCall): Step => {
    calls.push(`${call.target.provider.id}:${call.key.name}`);
    return steps[call.target.provider.id]?.shift() ?? 'ok';
  };
  const upstream: ChatUpstream = {
    async complete(call) {
      const step = next(call);
      if (step instanceof SwitchyardError) throw step;
      return { body: enc.encode(`{"from":"${call.target.provider.id}"}`), usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } };
    },
    async stream(call) {
      const step = next(call);
      if (step instanceof SwitchyardError) throw step;
      const plan = step === 'ok' ? { chunks: ['a', 'b'] } : step;
      async function* gen() {
        for (const c of plan.chunks) yield enc.encode(c);
        if (plan.failAfter) throw plan.failAfter;
      }
      const g = gen();
      const s: ChunkStream = { [Symbol.asyncIterator]: () => g, usage: () => ({ promptTokens: 5, completionTokens: 5, totalTokens: 10 }) };
      return s;
    },
  };
  return { upstream, calls };
}

function deps(upstream: ChatUpstream, random = () => 0.5) {
  const sleeps: number[] = [];
  const log: string[] = [];
  const events: RouterEvents = {
    attempt: () => {},
    retry: (e) => log.push(`retry:${e.provider}:${e.reason}`),
    fallback: (e) => log.push(`fallback:${e.from}->${e.to}:${e.kind}`),
  };
  const d: RouterDeps = { upstream, random, sleep: async (ms) => void sleeps.push(ms), events, now: () => 0 };
  return { d, sleeps, log };
}

const retry = { maxRetries: 2, backoffInitialMs: 100, backoffMaxMs: 1_000 };
const p1 = provider('p1', { keys: [key('a'), key('b')], retry });
const p2 = provider('p2', { keys: [key('c')], retry });
const targets: Target[] = [{ provider: p1, model: 'm1' }, { provider: p2, model: 'm2' }];
const signal = new AbortController().signal;

async function failure(p: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SwitchyardError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('routeCompletion', () => {
  it('retries 5xx on the same key with exponential backoff', async () => {
    const { upstream, calls } = fakeUpstream({ p1: [http(500), http(502)] });
    const { d, sleeps } = deps(upstream, () => 0); // first key, jitter 0.8
    const r = await routeCompletion(chatRequest(targets), signal, d);
    expect(calls).toEqual(['p1:a', 'p1:a', 'p1:a']);
    expect(sleeps).toEqual([80, 160]);
    expect(r.outcome).toEqual({ provider: 'p1', model: 'm1', keyName: 'a', attempts: 3, fallbacksUsed: 0, usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } });
  });

  it('rotates keys on 429 with backoff, honouring a small retry-after', async () => {
    const { upstream, calls } = fakeUpstream({ p1: [http(429), http(429, 0.25)] });
    const { d, sleeps, log } = deps(upstream, () => 0);
    const r = await routeCompletion(chatRequest(targets), signal, d);
    expect(calls).toEqual(['p1:a', 'p1:b', 'p1:a']);
    expect(sleeps).toEqual([80, 250]);
    expect(log).toEqual(['retry:p1:rate_limited', 'retry:p1:rate_limited']);
    expect(r.outcome.keyName).toBe('a');
  });

  it('marks a 401 key dead and rotates without backoff or spending retries', async () => {
    const { upstream, calls } = fakeUpstream({ p1: [http(401), http(500), http(500)] });
    const { d, sleeps } = deps(upstream, () => 0);
    const r = await routeCompletion(chatRequest(targets), signal, d);
    // a (401, dead) → b at once; b gets the full budget of 2 retries; a is never tried again.
    expect(calls).toEqual(['p1:a', 'p1:b', 'p1:b', 'p1:b']);
    expect(sleeps).toEqual([80, 160]);
    expect(r.outcome).toMatchObject({ provider: 'p1', keyName: 'b', attempts: 4 });
  });

  it('fails with upstream_rejected when every key is dead, then falls back', async () => {
    const { upstream, calls } = fakeUpstream({ p1: [http(401), http(403)] });
    const { d, log } = deps(upstream, () => 0);
    const r = await routeCompletion(chatRequest(targets), signal, d);
    expect(calls).toEqual(['p1:a', 'p1:b', 'p2:c']);
    expect(log).toEqual(['retry:p1:auth', 'fallback:p1->p2:upstream_rejected']);
    expect(r.outcome).toMatchObject({ provider: 'p2', model: 'm2', attempts: 3, fallbacksUsed: 1 });

    const alone = fakeUpstream({ p1: [http(401), http(401)] });
    const e = await failure(routeCompletion(chatRequest([targets[0] as Target]), signal, deps(alone.upstream, () => 0).d));
    expect([e.kind, e.code, e.message, e.upstreamStatus]).toEqual(['upstream_rejected', 'upstream_credentials_exhausted', 'no usable provider key for p1/m1', 401]);
  });

  it('gives each fallback target its own retry budget, in order', async () => {
    const { upstream, calls } = fakeUpstream({ p1: [http(500), http(500), http(500)], p2: [http(503), http(503)] });
    const { d, log } = deps(upstream, () => 0);
    const r = await routeCompletion(chatRequest(targets), signal, d);
    expect(calls).toEqual(['p1:a', 'p1:a', 'p1:a', 'p2:c', 'p2:c', 'p2:c']);
    expect(log.filter((l) => l.startsWith('fallback'))).toEqual(['fallback:p1->p2:upstream_error']);
    expect(r.outcome).toMatchObject({ provider: 'p2', attempts: 6, fallbacksUsed: 1 });
  });

  it('returns the last error when every target fails', async () => {
    const { upstream } = fakeUpstream({ p1: [http(500), http(500), http(500)], p2: [http(502), http(502), http(502)] });
    const e = await failure(routeCompletion(chatRequest(targets), signal, deps(upstream, () => 0).d));
    expect([e.kind, e.upstreamStatus]).toEqual(['upstream_error', 502]);
  });

  it('neither retries nor falls back on 400/404/422', async () => {
    for (const status of [400, 404, 422]) {
      const { upstream, calls } = fakeUpstream({ p1: [http(status)] });
      const e = await failure(routeCompletion(chatRequest(targets), signal, deps(upstream).d));
      expect([e.kind, e.upstreamStatus]).toEqual(['invalid_argument', status]);
      expect(calls).toHaveLength(1);
    }
  });

  it('stops at once when the caller cancels during a backoff', async () => {
    const { upstream, calls } = fakeUpstream({ p1: [http(500)] });
    const controller = new AbortController();
    const { d } = deps(upstream);
    d.sleep = async (_ms, s) => {
      controller.abort();
      if (s.aborted) throw s.reason;
    };
    const e = await failure(routeCompletion(chatRequest(targets), controller.signal, d));
    expect(e.kind).toBe('cancelled');
    expect(calls).toEqual(['p1:b']);
  });

  it('reports a passed deadline as upstream_timeout without falling back', async () => {
    const { upstream, calls } = fakeUpstream({ p1: [http(500)] });
    const deadline = AbortSignal.abort(new DOMException('deadline', 'TimeoutError'));
    const e = await failure(routeCompletion(chatRequest(targets), deadline, deps(upstream).d));
    expect(e.kind).toBe('upstream_timeout');
    expect(calls).toEqual(['p1:b']);
  });

  it('fails with upstream_rejected when no key serves the model', async () => {
    const only = provider('p3', { keys: [key('x', 1, ['other'])] });
    const { upstream, calls } = fakeUpstream({});
    const e = await failure(routeCompletion(chatRequest([{ provider: only, model: 'm' }]), signal, deps(upstream).d));
    expect(e.kind).toBe('upstream_rejected');
    expect(calls).toEqual([]);
  });
});

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of chunks) out.push(text(c));
  return out;
}

describe('routeStream', () => {
  it('retries and falls back on failures before the first chunk', async () => {
    const empty = { chunks: [] };
    const broken = { chunks: [], failAfter: http(500) };
    const { upstream, calls } = fakeUpstream({ p1: [http(500), broken, empty], p2: [{ chunks: ['x', 'y'] }] });
    const r = await routeStream(chatRequest(targets, { stream: true }), signal, deps(upstream, () => 0).d);
    expect(await collect(r.chunks)).toEqual(['x', 'y']);
    expect(calls).toEqual(['p1:a', 'p1:a', 'p1:a', 'p2:c']);
    expect(r.outcome()).toMatchObject({ provider: 'p2', attempts: 4, fallbacksUsed: 1, usage: { totalTokens: 10 } });
  });

  it('propagates errors after the first chunk without retrying', async () => {
    const { upstream, calls } = fakeUpstream({ p1: [{ chunks: ['a'], failAfter: http(500) }] });
    const r = await routeStream(chatRequest(targets, { stream: true }), signal, deps(upstream).d);
    const seen: string[] = [];
    const e = await failure((async () => {
      for await (const c of r.chunks) seen.push(text(c));
    })());
    expect(seen).toEqual(['a']);
    expect([e.kind, e.upstreamStatus]).toEqual(['upstream_error', 500]);
    expect(calls).toHaveLength(1);
  });

  it('closes the upstream iterator when the consumer stops early', async () => {
    let closed = false;
    const upstream: ChatUpstream = {
      complete: () => Promise.reject(new Error('unused')),
      async stream() {
        async function* gen() {
          try {
            for (let i = 0; ; i++) yield enc.encode(String(i));
          } finally {
            closed = true;
          }
        }
        const g = gen();
        return { [Symbol.asyncIterator]: () => g, usage: () => undefined };
      },
    };
    const r = await routeStream(chatRequest(targets, { stream: true }), signal, deps(upstream).d);
    for await (const c of r.chunks) if (text(c) === '2') break;
    expect(closed).toBe(true);
  });
});
