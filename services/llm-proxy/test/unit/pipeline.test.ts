import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import { createChatService } from '../../src/domain/chat-service.js';
import { runAfter, runBefore, type Hook, type HookResult } from '../../src/domain/pipeline.js';
import type { ChatUpstream } from '../../src/domain/ports.js';
import { chatRequest, json, provider, text } from './helpers.js';

const ctx = { call: { requestId: 'r', keyId: '', parentRequestId: '' }, signal: new AbortController().signal };
const request = chatRequest([{ provider: provider('p'), model: 'm' }]);

function recorder() {
  const log: string[] = [];
  const hook = (name: string, over: Partial<Hook> = {}): Hook => ({
    name,
    failMode: 'closed',
    before: () => void log.push(`before:${name}`),
    after: (_c, _r, result: HookResult) => void log.push(`after:${name}:${result.ok ? 'ok' : result.error.kind}`),
    ...over,
  });
  return { log, hook };
}

describe('pipeline', () => {
  it('runs before in order and after in reverse', async () => {
    const { log, hook } = recorder();
    const hooks = [hook('a'), hook('b'), hook('c')];
    const { ran } = await runBefore(hooks, ctx, request, () => {});
    const outcome = { provider: 'p', model: 'm', keyName: 'k', attempts: 1, fallbacksUsed: 0, usage: undefined };
    await runAfter(ran, ctx, request, { ok: true, outcome, early: false }, () => {});
    expect(log).toEqual(['before:a', 'before:b', 'before:c', 'after:c:ok', 'after:b:ok', 'after:a:ok']);
  });

  it('stops at an early answer; only hooks that ran get after', async () => {
    const { log, hook } = recorder();
    const answer = { body: { id: 'cached' } };
    const hooks = [hook('a'), hook('cache', { before: () => (log.push('before:cache'), answer) }), hook('c')];
    const result = await runBefore(hooks, ctx, request, () => {});
    expect(result.answer).toBe(answer);
    expect(result.ran.map((h) => h.name)).toEqual(['a', 'cache']);
    expect(log).toEqual(['before:a', 'before:cache']);
  });

  it('a closed hook that throws denies the request, and earlier hooks hear of it', async () => {
    const { log, hook } = recorder();
    const deny = hook('policy', { before: () => { throw new SwitchyardError('policy_denied', 'no'); } });
    const hooks = [hook('a'), deny, hook('c')];
    await expect(runBefore(hooks, ctx, request, () => {})).rejects.toMatchObject({ kind: 'policy_denied' });
    expect(log).toEqual(['before:a', 'after:a:policy_denied']);
  });

  it('a crashing closed hook denies as internal, never fails open', async () => {
    const { hook } = recorder();
    const crash = hook('guard', { before: () => { throw new TypeError('boom'); } });
    await expect(runBefore([crash], ctx, request, () => {})).rejects.toMatchObject({ kind: 'internal', message: 'hook guard failed' });
  });

  it('an open hook that throws is reported and skipped', async () => {
    const { log, hook } = recorder();
    const reported: string[] = [];
    const flaky = hook('flaky', { failMode: 'open', before: () => { throw new Error('down'); } });
    const { ran } = await runBefore([flaky, hook('b')], ctx, request, (name, phase) => reported.push(`${name}:${phase}`));
    expect(ran.map((h) => h.name)).toEqual(['b']);
    expect(reported).toEqual(['flaky:before']);
    expect(log).toEqual(['before:b']);
  });
});

describe('chat service', () => {
  const enc = new TextEncoder();
  const upstream: ChatUpstream = {
    complete: async () => ({ body: enc.encode('{"id":"up"}'), usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } }),
    stream: async () => {
      async function* gen() {
        yield enc.encode('{"n":1}');
        yield enc.encode('{"n":2}');
      }
      const g = gen();
      return { [Symbol.asyncIterator]: () => g, usage: () => ({ promptTokens: 3, completionTokens: 4, totalTokens: 7 }) };
    },
  };
  const base = { upstream, random: () => 0, sleep: async () => {}, events: { attempt: () => {}, retry: () => {}, fallback: () => {} }, now: () => 0, reportHookError: () => {} };

  it('runs after hooks with the outcome once a stream is consumed', async () => {
    const results: HookResult[] = [];
    const svc = createChatService({ ...base, hooks: [{ name: 'spy', failMode: 'closed', after: (_c, _r, r) => void results.push(r) }] });
    const s = await svc.stream({ ...request, stream: true }, ctx.signal);
    expect(results).toEqual([]);
    const seen: string[] = [];
    for await (const c of s.chunks) seen.push(text(c));
    expect(seen).toEqual(['{"n":1}', '{"n":2}']);
    expect(results).toEqual([{ ok: true, early: false, outcome: expect.objectContaining({ provider: 'p', usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } }) }]);
  });

  it('tells after hooks a stream was cancelled when the consumer stops early', async () => {
    const results: HookResult[] = [];
    const svc = createChatService({ ...base, hooks: [{ name: 'spy', failMode: 'closed', after: (_c, _r, r) => void results.push(r) }] });
    const s = await svc.stream({ ...request, stream: true }, ctx.signal);
    for await (const _ of s.chunks) break;
    expect(results).toEqual([{ ok: false, error: expect.objectContaining({ kind: 'cancelled' }) }]);
  });

  it('serves an early answer as a completion and as stream chunks', async () => {
    const answer = { body: { id: 'c1', created: 1, model: 'cache', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] }, usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } };
    const svc = createChatService({ ...base, hooks: [{ name: 'cache', failMode: 'closed', before: () => answer }] });
    const r = await svc.complete(request, ctx.signal);
    expect(json(r.body)).toEqual(answer.body);
    expect(r.outcome).toMatchObject({ provider: '', attempts: 0 });
    const s = await svc.stream({ ...request, stream: true, includeUsage: true }, ctx.signal);
    const chunks: unknown[] = [];
    for await (const c of s.chunks) chunks.push(json(c));
    expect(chunks).toEqual([
      { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'cache', choices: [{ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] },
      { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'cache', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
    ]);
  });

  it('bounds the call by its deadline (timeout_ms) and aborts the upstream', async () => {
    let aborted = false;
    const hanging: ChatUpstream = {
      complete: (call) =>
        new Promise((_resolve, reject) => {
          call.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new SwitchyardError('cancelled', 'aborted'));
          });
        }),
      stream: () => Promise.reject(new Error('unused')),
    };
    const svc = createChatService({ ...base, upstream: hanging, hooks: [] });
    const started = Date.now();
    await expect(svc.complete({ ...request, timeoutMs: 30 }, ctx.signal)).rejects.toMatchObject({ kind: 'upstream_timeout' });
    expect(aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
