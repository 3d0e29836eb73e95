/** A virtual key as governance keeps it. The secret itself is never kept, only its hash. */
export interface KeyRecord {
  id: string;
  name: string;
  /** SHA-256 of the secret, lowercase hex. */
  keyHash: string;
  /** The first characters of the secret. */
  keyPrefix: string;
  enabled: boolean;
  /** Undefined: never expires. */
  expiresAt: Date | undefined;
  /** Model patterns the key may use; empty allows none. */
  allowedModels: string[];
  createdAt: Date;
  updatedAt: Date;
  /** At most one of teamId and customerId. */
  teamId: string | undefined;
  customerId: string | undefined;
  /** Provider patterns the key may use; empty allows none. */
  allowedProviders: string[];
  /** The key's own MCP allow-list; undefined: none. */
  mcpTools: Record<string, string[]> | undefined;
  /** Slugs of the tool groups attached to the key itself (read-only here). */
  toolGroups: string[];
}

/** What an admin supplies to create a key. */
export interface NewKeyInput {
  name: string;
  enabled: boolean;
  expiresAt: Date | undefined;
  allowedModels: string[];
  teamId: string | undefined;
  customerId: string | undefined;
  allowedProviders: string[];
  mcpTools: Record<string, string[]> | undefined;
}

/** A partial update: only the fields present change. */
export interface KeyPatch {
  name?: string;
  enabled?: boolean;
  /** A date sets the expiry, `null` removes it, absent leaves it. */
  expiresAt?: Date | null;
  allowedModels?: string[];
  /** null: out of its team / customer. */
  teamId?: string | null;
  customerId?: string | null;
  allowedProviders?: string[];
  /** null removes the key's own allow-list. */
  mcpTools?: Record<string, string[]> | null;
}

/** Where a list page starts: after this (created_at, id). */
export interface KeyPosition {
  createdAt: Date;
  id: string;
}
