import type { Logger } from '@switchyard/obs';
import type { LiveSession, McpSessionStore } from '../../domain/mcp-sessions.js';
import { issueSessionId, verifySessionId } from './mcp-server-protocol.js';

/** What the `/mcp` handler needs for legacy sessions. */
export interface McpSessionDeps {
  /** HMAC key of the session ids: a forged id is refused without a store round trip. */
  sessionSecret: string;
  sessions: McpSessionStore;
  logger: Logger;
  /** A session ended (DELETE): mcp-connector closes its session lanes (`mcp.session.closed`). Never throws. */
  onSessionEnded?: ((id: string) => void) | undefined;
}

/** The outcome of a session step; `unavailable` means the store could not answer (503). */
export type SessionCheck = 'ok' | 'not_found' | 'unavailable';

export interface NewSession {
  scope: string;
  keyId: string;
  endpoint: string;
  protocolVersion: string;
  params: Record<string, unknown> | undefined;
}

/** Issues a signed id and records the session; undefined when the store is away. */
export async function openSession(deps: McpSessionDeps, s: NewSession): Promise<string | undefined> {
  const id = issueSessionId(deps.sessionSecret, s.scope);
  const now = Date.now();
  try {
    await deps.sessions.create(id, {
      scope: s.scope,
      keyId: s.keyId,
      endpoint: s.endpoint,
      protocolVersion: s.protocolVersion,
      clientInfo: s.params?.clientInfo ?? null,
      capabilities: s.params?.capabilities ?? null,
      createdAt: now,
      lastSeenAt: now,
    });
    return id;
  } catch (err) {
    deps.logger.warn({ err, store: deps.sessions.kind }, 'mcp.session_store_unavailable');
    return undefined;
  }
}

/** How many verified (scope, id) pairs a secret remembers; past that the memory starts over. */
const VERIFIED_MAX = 10_000;
const verifiedBySecret = new Map<string, Set<string>>();

/**
 * `verifySessionId`, remembered: a session sends many requests, and its id's HMAC is
 * the same every time. Only successes are kept (a forged id is recomputed, as before);
 * the store is still asked on every request, so a deleted session ends at once.
 */
export function verifiedSessionId(secret: string, scope: string, id: string): boolean {
  let verified = verifiedBySecret.get(secret);
  const key = `${scope}\0${id}`;
  if (verified?.has(key)) return true;
  if (!verifySessionId(secret, scope, id)) return false;
  if (verified === undefined) {
    if (verifiedBySecret.size >= 16) verifiedBySecret.clear(); // secrets come one per app (tests make many)
    verifiedBySecret.set(secret, verified = new Set());
  }
  if (verified.size >= VERIFIED_MAX) verified.clear();
  verified.add(key);
  return true;
}

/** A request on a session: signed for this scope, and live in the store (which refreshes its idle TTL). */
export async function resumeSession(deps: McpSessionDeps, scope: string, id: string): Promise<LiveSession | Exclude<SessionCheck, 'ok'>> {
  if (!verifiedSessionId(deps.sessionSecret, scope, id)) return 'not_found';
  try {
    const live = await deps.sessions.touch(id, Date.now());
    return live !== undefined && live.scope === scope ? live : 'not_found';
  } catch (err) {
    deps.logger.warn({ err, store: deps.sessions.kind }, 'mcp.session_store_unavailable');
    return 'unavailable';
  }
}

/** `logging/setLevel`: kept in the session record, so every replica filters the same way. Throws when the store is away. */
export async function storeLogLevel(deps: McpSessionDeps, id: string, level: string): Promise<void> {
  try {
    await deps.sessions.setLogLevel(id, level);
  } catch (err) {
    deps.logger.warn({ err, store: deps.sessions.kind }, 'mcp.session_store_unavailable');
    throw err;
  }
}

/**
 * DELETE: the session is gone for every replica at once, and the upstream connections
 * mcp-connector holds for it alone (session lanes) are closed, whichever replica holds
 * them. (A session that expires idle needs no event: its lanes idle out first, their TTL
 * being shorter.)
 */
export async function endSession(deps: McpSessionDeps, scope: string, id: string): Promise<SessionCheck> {
  if (!verifySessionId(deps.sessionSecret, scope, id)) return 'not_found';
  try {
    const deleted = await deps.sessions.delete(id, scope);
    if (deleted) deps.onSessionEnded?.(id);
    return deleted ? 'ok' : 'not_found';
  } catch (err) {
    deps.logger.warn({ err, store: deps.sessions.kind }, 'mcp.session_store_unavailable');
    return 'unavailable';
  }
}
