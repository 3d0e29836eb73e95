export { generateSecret, hashSecret, secretPrefix, isKeyHash, SECRET_FORMAT, SECRET_PREFIX, KEY_PREFIX_LENGTH } from './secret.js';
export { newKeyId, ulid, KEY_ID_FORMAT } from './ids.js';
export { encodeCursor, decodeCursor } from './cursor.js';
export {
  validateName, validateModelPatterns, validateExpiry, validateNewKey, validateKeyPatch, validatePageSize, validateId,
  MAX_NAME_LENGTH, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type KeyUpdateRequest,
} from './validation.js';
export { KeyService, type KeyServiceDeps, type CreatedKey, type ListedKeys } from './key-service.js';
export type { KeyRecord, NewKeyInput, KeyPatch, KeyPosition } from './keys.js';
export type {
  KeyStore, PolicyChange, PolicyKind, PolicyPublisher, CustomerStore, TeamStore, ToolGroupStore, ChainStore, PageQuery, DeleteOutcome,
} from './ports.js';
export { newEntityId } from './ids.js';
export { validateOwner } from './validation.js';
export { CustomerService, type EntityServiceDeps, type Page } from './customer-service.js';
export { TeamService, type TeamServiceDeps } from './team-service.js';
export { ToolGroupService, type ToolGroupUpdate } from './tool-group-service.js';
export { resolvePolicy, type ResolvedPolicy } from './policy-resolution.js';
export {
  slugify, validateSlug, validateGroupTools, validateToolAllowList, validateProviderPatterns, validateAttachment,
} from './entity-validation.js';
export { entriesAllowList } from './entities.js';
export type {
  CustomerRecord, TeamRecord, ToolGroupRecord, ToolGroupEntry, Attachment, EntityKind, KeyChain, ReachableGroup,
  NewTeamInput, TeamPatch, NewToolGroupInput, ToolGroupPatch,
} from './entities.js';
export * from './limits.js';
export type { LimitStore, UsageLedger, EntityDirectory } from './limit-ports.js';
export { LimitsService, validateEntity, validatePeriod, validateLimit, MAX_LIMIT } from './limits-service.js';
