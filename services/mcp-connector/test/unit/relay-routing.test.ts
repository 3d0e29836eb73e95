import { describe, expect, it } from 'vitest';
import { CallRelay } from '../../src/domain/relay.js';
import { replicaOf, RoutedRelay, type RelayPeers } from '../../src/domain/relay-routing.js';

function peers(answers: { answer?: boolean; cancel?: boolean } = {}): RelayPeers & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    answer: async (replica, id) => { asked.push(`answer ${replica} ${id}`); return answers.answer ?? false; },
    cancel: async (key) => { asked.push(`cancel ${key}`); return answers.cancel ?? false; },
  };
}

describe('RoutedRelay', () => {
  it('answers and cancels from local memory without asking the peers', async () => {
    const local = new CallRelay('aaaaaaaaaaaa');
    const others = peers();
    const relay = new RoutedRelay(local, others);
    const { id, answer } = local.awaitAnswer(new AbortController().signal);
    expect(replicaOf(id)).toBe('aaaaaaaaaaaa');
    expect(await relay.answer(id, { result: { ok: true } })).toBe(true);
    expect(await answer).toEqual({ ok: true });
    const { controller } = local.track('s:1', new AbortController().signal);
    expect(await relay.cancel('s:1', 'stop')).toBe(true);
    expect(controller.signal.aborted).toBe(true);
    expect(others.asked).toEqual([]);
  });

  it('asks the replica an id names, and every peer for a call key it does not hold', async () => {
    const others = peers({ answer: true, cancel: true });
    const relay = new RoutedRelay(new CallRelay('aaaaaaaaaaaa'), others);
    expect(await relay.answer('sy-bbbbbbbbbbbb-0000', { result: {} })).toBe(true);
    expect(await relay.cancel('s:2', '')).toBe(true);
    expect(others.asked).toEqual(['answer bbbbbbbbbbbb sy-bbbbbbbbbbbb-0000', 'cancel s:2']);
  });

  it('does not ask about ids of its own replica, ids without a replica, or empty keys', async () => {
    const others = peers({ answer: true, cancel: true });
    const relay = new RoutedRelay(new CallRelay('aaaaaaaaaaaa'), others);
    expect(await relay.answer('sy-aaaaaaaaaaaa-gone', { result: {} })).toBe(false);
    expect(await relay.answer('sy-0f8e1c2a-uuid-only', { result: {} })).toBe(false);
    expect(await relay.cancel('', '')).toBe(false);
    expect(others.asked).toEqual([]);
  });
});
