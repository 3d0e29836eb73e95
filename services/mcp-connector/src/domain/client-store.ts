import type { McpClientConfig } from '../config.js';

/** An API-managed client config as stored (secrets already decrypted by the adapter). */
export interface StoredClient {
  config: McpClientConfig;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Where API-managed client configs live (Postgres table `mcp_clients`). The adapter
 * encrypts secret values on the way in and decrypts them on the way out.
 */
export interface ClientStore {
  list(): Promise<StoredClient[]>;
  get(name: string): Promise<StoredClient | undefined>;
  /** Rejects with a `conflict` SwitchyardError when the name is taken. */
  insert(config: McpClientConfig, now: Date): Promise<StoredClient>;
  /** Undefined when no such client is stored. */
  update(config: McpClientConfig, now: Date): Promise<StoredClient | undefined>;
  /** False when no such client was stored. */
  remove(name: string): Promise<boolean>;
}

export type ClientChangeOp = 'upsert' | 'delete' | 'reconnect';

/** Tells every replica (this one included) that a stored client changed. */
export interface ClientChangePublisher {
  changed(name: string, op: ClientChangeOp): void;
}

/** Key order does not matter (jsonb reorders keys): equal configs compare equal. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
