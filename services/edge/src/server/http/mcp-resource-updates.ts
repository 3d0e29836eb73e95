import type { Logger } from '@switchyard/obs';
import { randomUUID } from 'node:crypto';
import type { McpSessionStore, ResourceSubscriptionStore, SubscribedResource } from '../../domain/mcp-sessions.js';
import type { McpForwarder } from '../../domain/ports.js';
import { ownerOfUri, type CatalogSource } from './mcp-server-catalog.js';
import type { Attach } from './mcp-server-streams.js';

type Json = Record<string, unknown>;

export interface ResourceUpdateDeps {
  subscriptions: ResourceSubscriptionStore;
  /** Ends the upstream subscription of a resource nobody (live) subscribes to any more. */
  unsubscribeUpstream(resource: SubscribedResource): Promise<void>;
  logger: Logger;
}

/**
 * `notifications/resources/updated` for the streams this replica holds: the legacy GET
 * streams (by session id; who subscribed is in the shared session store, so every replica
 * agrees) and the 2026-07-28 `subscriptions/listen` streams (by the URIs they listed).
 */
export class ResourceUpdateFeed {
  readonly #sessions = new Map<string, Set<(message: Json) => void>>();
  readonly #listens = new Set<{ uris: ReadonlySet<string>; push: (params: Json) => void }>();

  /** A legacy session's GET stream; returns the function that closes it. */
  openSession(id: string, push: (message: Json) => void): () => void {
    const pushes = this.#sessions.get(id) ?? new Set();
    pushes.add(push);
    this.#sessions.set(id, pushes);
    return () => {
      pushes.delete(push);
      if (pushes.size === 0 && this.#sessions.get(id) === pushes) this.#sessions.delete(id);
    };
  }

  /** A modern listen stream asking for these URIs; `push` gets the notification's params. */
  openListen(uris: ReadonlySet<string>, push: (params: Json) => void): () => void {
    const entry = { uris, push };
    this.#listens.add(entry);
    return () => this.#listens.delete(entry);
  }

  /** An upstream said `resource` changed: tell the subscribed sessions with a stream here. */
  async updated(resource: SubscribedResource, deps: ResourceUpdateDeps): Promise<void> {
    const params = { uri: resource.uri };
    for (const listen of this.#listens) if (listen.uris.has(resource.uri)) listen.push(params);
    const { ids, emptied } = await deps.subscriptions.subscribers(resource);
    const message = { jsonrpc: '2.0', method: 'notifications/resources/updated', params };
    for (const id of ids) for (const push of this.#sessions.get(id) ?? []) push(message);
    // Every subscriber expired without unsubscribing: the upstream subscription goes too.
    if (emptied) await deps.unsubscribeUpstream(resource);
  }
}

/** The upstream side of a resource nobody subscribes to any more: `resources/unsubscribe` to its client. */
export function upstreamUnsubscriber(forwarder: McpForwarder, logger: Logger): (resource: SubscribedResource) => Promise<void> {
  return async ({ client, uri }) => {
    const outcome = await forwarder.forward(client, 'resources/unsubscribe', { uri }, AbortSignal.timeout(10_000)).catch((err: unknown) => ({ failed: err }));
    if ('failed' in outcome || 'error' in outcome) logger.warn({ client, outcome }, 'mcp.resources.unsubscribe_failed');
  };
}

/** A legacy session is ending (DELETE): its subscriptions go, and so does each upstream subscription it was the last holder of. */
export async function releaseSubscriptions(deps: ResourceUpdateDeps, id: string): Promise<void> {
  try {
    for (const resource of await deps.subscriptions.dropSubscriptions(id)) await deps.unsubscribeUpstream(resource);
  } catch (err) {
    deps.logger.warn({ err }, 'mcp.resources.release_failed');
  }
}

export interface ListenDeps {
  sessions: McpSessionStore;
  forwarder: McpForwarder;
  feed: ResourceUpdateFeed;
  logger: Logger;
  /** The store's idle TTL: the listen stream's record is touched well within it. */
  idleTtlMs: number;
}

/**
 * `subscriptions/listen` with `resourceSubscriptions` (2026-07-28): the URIs the catalog
 * knows are honoured. The stream counts as one subscriber of each (a record in the
 * session store, touched while it is open), so the upstream subscription is shared with
 * legacy sessions and released when the stream closes. Resolves with the honoured URIs
 * and what attaches the updates to the stream (tagged with `_meta`).
 */
export async function listenResources(deps: ListenDeps, catalog: CatalogSource, requested: unknown, meta: Json): Promise<{ uris: string[]; attach: Attach } | undefined> {
  if (!Array.isArray(requested)) return undefined;
  const wanted = [...new Set(requested.filter((u): u is string => typeof u === 'string' && u !== ''))];
  if (wanted.length === 0) return undefined;
  const lists = await catalog.lists();
  const id = `listen-${randomUUID()}`;
  const now = Date.now();
  await deps.sessions.create(id, { scope: 'listen', keyId: '', endpoint: '', protocolVersion: '2026-07-28', clientInfo: null, capabilities: null, createdAt: now, lastSeenAt: now });
  const unsubscribeUpstream = upstreamUnsubscriber(deps.forwarder, deps.logger);
  const uris: string[] = [];
  for (const uri of wanted) {
    const client = catalog.client ?? ownerOfUri(lists, uri);
    if (client === undefined) continue;
    if ((await deps.sessions.addSubscription(id, { client, uri })) === 'first') {
      const outcome = await deps.forwarder.forward(client, 'resources/subscribe', { uri }, AbortSignal.timeout(10_000)).catch(() => undefined);
      if (outcome === undefined || 'error' in outcome) {
        await deps.sessions.removeSubscription(id, { client, uri });
        continue;
      }
    }
    uris.push(uri);
  }
  const release = async (): Promise<void> => {
    await releaseSubscriptions({ subscriptions: deps.sessions, unsubscribeUpstream, logger: deps.logger }, id);
    await deps.sessions.delete(id, 'listen').catch(() => false);
  };
  if (uris.length === 0) {
    await release();
    return undefined;
  }
  const attach: Attach = (push) => {
    const close = deps.feed.openListen(new Set(uris), (params) => push({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { ...params, _meta: meta } }));
    const keepAlive = setInterval(() => void deps.sessions.touch(id, Date.now()).catch(() => undefined), Math.max(1_000, Math.floor(deps.idleTtlMs / 3)));
    keepAlive.unref();
    return () => {
      close();
      clearInterval(keepAlive);
      void release();
    };
  };
  return { uris, attach };
}
