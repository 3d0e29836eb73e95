export type ClientState = 'connecting' | 'connected' | 'unstable' | 'disconnected' | 'reconnecting' | 'needs_auth' | 'disabled';

export type HealthEvent =
  | { type: 'connected' }
  | { type: 'check_ok' }
  | { type: 'check_failed' }
  | { type: 'closed' }
  | { type: 'connect_failed'; unauthorized?: boolean }
  | { type: 'reconnect' };

export interface Health {
  state: ClientState;
  /** Failed checks in a row. */
  failures: number;
  /** Reconnect attempts since the last successful connection (drives backoff). */
  attempts: number;
}

export const INITIAL_HEALTH: Health = { state: 'connecting', failures: 0, attempts: 0 };

/**
 * The health state machine: connecting -> connected; a failed check makes a connected
 * client unstable, `maxFailures` in a row (or a closed transport) disconnected;
 * disconnected -> reconnecting (with backoff) -> connected again. A 401 parks the
 * client in needs_auth: retrying without new credentials would not help.
 */
export function nextHealth(h: Health, event: HealthEvent, maxFailures: number): Health {
  if (h.state === 'disabled') return h;
  switch (event.type) {
    case 'connected':
      return { state: 'connected', failures: 0, attempts: 0 };
    case 'check_ok':
      return h.state === 'unstable' || h.state === 'connected' ? { ...h, state: 'connected', failures: 0 } : h;
    case 'check_failed': {
      if (h.state !== 'connected' && h.state !== 'unstable') return h;
      const failures = h.failures + 1;
      return { ...h, failures, state: failures >= maxFailures ? 'disconnected' : 'unstable' };
    }
    case 'closed':
      return h.state === 'needs_auth' ? h : { ...h, state: 'disconnected' };
    case 'connect_failed':
      return event.unauthorized ? { ...h, state: 'needs_auth' } : { ...h, state: 'disconnected', attempts: h.attempts + 1 };
    case 'reconnect':
      return h.state === 'needs_auth' ? h : { ...h, state: 'reconnecting' };
  }
}

/** Whether calls may be sent: an unstable client is still tried. */
export function isServing(state: ClientState): boolean {
  return state === 'connected' || state === 'unstable';
}
