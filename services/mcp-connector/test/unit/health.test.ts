import { describe, expect, it } from 'vitest';
import { INITIAL_HEALTH, isServing, nextHealth, type Health, type HealthEvent } from '../../src/domain/health.js';

function run(events: HealthEvent['type'][], start: Health = INITIAL_HEALTH, max = 3): Health[] {
  const out: Health[] = [];
  let h = start;
  for (const type of events) {
    h = nextHealth(h, { type } as HealthEvent, max);
    out.push(h);
  }
  return out;
}

describe('health state machine', () => {
  it('connecting -> connected -> unstable on a failed check -> connected again on a good one', () => {
    expect(run(['connected', 'check_failed', 'check_ok']).map((h) => h.state)).toEqual(['connected', 'unstable', 'connected']);
  });

  it('is disconnected after N failed checks in a row, then reconnecting, then connected', () => {
    const states = run(['connected', 'check_failed', 'check_failed', 'check_failed', 'reconnect', 'connected']).map((h) => h.state);
    expect(states).toEqual(['connected', 'unstable', 'unstable', 'disconnected', 'reconnecting', 'connected']);
  });

  it('a closed transport disconnects at once', () => {
    expect(run(['connected', 'closed']).at(-1)!.state).toBe('disconnected');
  });

  it('counts failed attempts for backoff and resets them on success', () => {
    const hs = run(['connect_failed', 'reconnect', 'connect_failed', 'reconnect', 'connected']);
    expect(hs.map((h) => h.attempts)).toEqual([1, 1, 2, 2, 0]);
  });

  it('parks in needs_auth on 401 and stays there', () => {
    const h = nextHealth(INITIAL_HEALTH, { type: 'connect_failed', unauthorized: true }, 3);
    expect(h.state).toBe('needs_auth');
    expect(nextHealth(h, { type: 'reconnect' }, 3).state).toBe('needs_auth');
    expect(nextHealth(h, { type: 'closed' }, 3).state).toBe('needs_auth');
  });

  it('a disabled client never changes state', () => {
    const disabled: Health = { ...INITIAL_HEALTH, state: 'disabled' };
    expect(nextHealth(disabled, { type: 'connected' }, 3)).toBe(disabled);
  });

  it('only connected and unstable clients serve calls', () => {
    expect(['connecting', 'connected', 'unstable', 'disconnected', 'reconnecting', 'needs_auth', 'disabled'].filter((s) => isServing(s as never))).toEqual(['connected', 'unstable']);
  });
});
