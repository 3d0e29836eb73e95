import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RoutingTable } from '../../src/domain/routing.js';
import type { ChatRequest, JsonObject, Provider, ProviderKey, Target } from '../../src/domain/types.js';

export function fixture(path: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)), 'utf8');
}

export function fixtureJson<T = unknown>(path: string): T {
  return JSON.parse(fixture(path)) as T;
}

export function key(name: string, weight = 1, models?: string[]): ProviderKey {
  return { name, value: `sk-${name}`, weight, ...(models ? { models } : {}) };
}

export function provider(id: string, over: Partial<Provider> = {}): Provider {
  return {
    id,
    kind: 'openai',
    keys: [key(`${id}-k1`)],
    retry: { maxRetries: 2, backoffInitialMs: 100, backoffMaxMs: 1_000 },
    timeoutMs: 1_000,
    models: [],
    ...over,
  };
}

export function table(providers: Provider[], fallbacks: Record<string, string[]> = {}): RoutingTable {
  return {
    providers: new Map(providers.map((p) => [p.id, p])),
    fallbacks: Object.entries(fallbacks).map(([pattern, targets]) => ({ pattern, targets })),
  };
}

export function chatRequest(targets: Target[], over: Partial<ChatRequest> = {}, body: JsonObject = {}): ChatRequest {
  return {
    call: { requestId: 'req-1', keyId: '', parentRequestId: '' },
    body: { model: 'x', messages: [{ role: 'user', content: 'hi' }], ...body },
    model: 'x',
    stream: false,
    includeUsage: false,
    targets,
    timeoutMs: 0,
    ...over,
  };
}

/** A deterministic PRNG (mulberry32) for distribution tests. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
export const json = (bytes: Uint8Array): JsonObject => JSON.parse(text(bytes)) as JsonObject;
