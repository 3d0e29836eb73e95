import { create, governance, timestampDate, timestampFromDate } from '@switchyard/proto';
import type { KeyRecord } from '../../domain/index.js';

type Timestamp = NonNullable<governance.VirtualKey['expiresAt']>;

/** A key as the wire shows it: never the hash, never the secret. */
export function toWireKey(key: KeyRecord): governance.VirtualKey {
  return create(governance.VirtualKeySchema, {
    id: key.id,
    name: key.name,
    enabled: key.enabled,
    ...(key.expiresAt ? { expiresAt: timestampFromDate(key.expiresAt) } : {}),
    allowedModels: key.allowedModels,
    keyPrefix: key.keyPrefix,
    createdAt: timestampFromDate(key.createdAt),
    updatedAt: timestampFromDate(key.updatedAt),
  });
}

export function fromWireTime(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp === undefined ? undefined : timestampDate(timestamp);
}
