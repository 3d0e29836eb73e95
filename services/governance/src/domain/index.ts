export { generateSecret, hashSecret, secretPrefix, isKeyHash, SECRET_FORMAT, SECRET_PREFIX, KEY_PREFIX_LENGTH } from './secret.js';
export { newKeyId, ulid, KEY_ID_FORMAT } from './ids.js';
export { encodeCursor, decodeCursor } from './cursor.js';
export {
  validateName, validateModelPatterns, validateExpiry, validateNewKey, validateKeyPatch, validatePageSize, validateId,
  MAX_NAME_LENGTH, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type KeyUpdateRequest,
} from './validation.js';
export { KeyService, type KeyServiceDeps, type CreatedKey, type ListedKeys } from './key-service.js';
export type { KeyRecord, NewKeyInput, KeyPatch, KeyPosition } from './keys.js';
export type { KeyStore, PolicyChange, PolicyKind, PolicyPublisher } from './ports.js';
export * from './limits.js';
export type { LimitStore, UsageLedger, EntityDirectory } from './limit-ports.js';
export { LimitsService, validateEntity, validatePeriod, validateLimit, MAX_LIMIT } from './limits-service.js';
