import { SwitchyardError } from '@switchyard/errors';
import { MAX_PATTERNS, modelPatternProblem } from '@switchyard/config';
import type { ToolAllowList } from '@switchyard/limits';
import { validateProviderPatterns, validateToolAllowList } from './entity-validation.js';
import type { KeyPatch, NewKeyInput } from './keys.js';

export const MAX_NAME_LENGTH = 128;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

// C0 and C1 control characters, DEL.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function invalid(param: string, message: string): SwitchyardError {
  return new SwitchyardError('invalid_argument', message, { param });
}

/** A key name: 1..128 characters, not blank, no control characters. */
export function validateName(name: string, param = 'name'): string {
  const length = [...name].length;
  if (length === 0 || name.trim().length === 0) throw invalid(param, `${param} must not be empty`);
  if (length > MAX_NAME_LENGTH) throw invalid(param, `${param} must be at most ${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(name)) throw invalid(param, `${param} must not contain control characters`);
  return name;
}

/** Model patterns (see model-patterns.ts); duplicates are rejected rather than silently merged. */
export function validateModelPatterns(patterns: readonly string[], param = 'allowed_models'): string[] {
  if (patterns.length > MAX_PATTERNS) throw invalid(param, `${param} must have at most ${MAX_PATTERNS} patterns`);
  const seen = new Set<string>();
  patterns.forEach((pattern, i) => {
    const problem = modelPatternProblem(pattern);
    if (problem !== undefined) throw invalid(`${param}[${i}]`, `${param}[${i}] ${problem}`);
    if (seen.has(pattern)) throw invalid(`${param}[${i}]`, `${param}[${i}] repeats "${pattern}"`);
    seen.add(pattern);
  });
  return [...patterns];
}

/** A new key's expiry must lie in the future. */
export function validateExpiry(expiresAt: Date, now: Date, param = 'expires_at'): Date {
  if (Number.isNaN(expiresAt.getTime())) throw invalid(param, `${param} is not a valid time`);
  if (expiresAt.getTime() <= now.getTime()) throw invalid(param, `${param} must be in the future`);
  return expiresAt;
}

export function validateNewKey(input: NewKeyInput, now: Date): NewKeyInput {
  return {
    name: validateName(input.name),
    enabled: input.enabled,
    expiresAt: input.expiresAt === undefined ? undefined : validateExpiry(input.expiresAt, now),
    allowedModels: validateModelPatterns(input.allowedModels),
    ...validateOwner(input.teamId, input.customerId),
    allowedProviders: validateProviderPatterns(input.allowedProviders),
    mcpTools: input.mcpTools === undefined ? undefined : validateToolAllowList(input.mcpTools),
  };
}

/** A key belongs to at most one team or one customer. */
export function validateOwner(teamId: string | undefined, customerId: string | undefined): { teamId: string | undefined; customerId: string | undefined } {
  if (teamId !== undefined && customerId !== undefined) {
    throw new SwitchyardError('invalid_argument', 'a key belongs to a team or to a customer, not both: set team_id or customer_id', { param: 'team_id', code: 'owner_conflict' });
  }
  return { teamId, customerId };
}

/** An update as the wire states it, before validation. */
export interface KeyUpdateRequest {
  name?: string | undefined;
  enabled?: boolean | undefined;
  expiresAt?: Date | undefined;
  clearExpiresAt: boolean;
  allowedModels: readonly string[];
  setAllowedModels: boolean;
  /** "" removes the key from its team; undefined leaves it. */
  teamId?: string | undefined;
  customerId?: string | undefined;
  /** Undefined leaves the list. */
  allowedProviders?: readonly string[] | undefined;
  /** Undefined leaves the allow-list; `clearMcpTools` removes it. */
  mcpTools?: ToolAllowList | undefined;
  clearMcpTools?: boolean;
}

/**
 * The patch an update asks for. An expiry may be set in the past on update (it
 * expires the key at once); setting and clearing it together, or sending models
 * without `set_allowed_models`, is a mistake the caller hears about.
 */
export function validateKeyPatch(request: KeyUpdateRequest): KeyPatch {
  const patch: KeyPatch = {};
  if (request.name !== undefined) patch.name = validateName(request.name);
  if (request.enabled !== undefined) patch.enabled = request.enabled;
  if (request.clearExpiresAt && request.expiresAt !== undefined) {
    throw invalid('clear_expires_at', 'set either expires_at or clear_expires_at, not both');
  }
  if (request.clearExpiresAt) patch.expiresAt = null;
  if (request.expiresAt !== undefined) {
    if (Number.isNaN(request.expiresAt.getTime())) throw invalid('expires_at', 'expires_at is not a valid time');
    patch.expiresAt = request.expiresAt;
  }
  if (request.setAllowedModels) patch.allowedModels = validateModelPatterns(request.allowedModels);
  else if (request.allowedModels.length > 0) {
    throw invalid('allowed_models', 'allowed_models is only applied with set_allowed_models = true');
  }
  if (request.teamId !== undefined) patch.teamId = request.teamId === '' ? null : request.teamId;
  if (request.customerId !== undefined) patch.customerId = request.customerId === '' ? null : request.customerId;
  if (request.allowedProviders !== undefined) patch.allowedProviders = validateProviderPatterns(request.allowedProviders);
  if (request.clearMcpTools && request.mcpTools !== undefined) throw invalid('clear_mcp_tools', 'set either mcp_tools or clear_mcp_tools, not both');
  if (request.clearMcpTools) patch.mcpTools = null;
  if (request.mcpTools !== undefined) patch.mcpTools = validateToolAllowList(request.mcpTools);
  return patch;
}

/** A page size: 0 means the default; 1..500 is taken as is; anything else is refused, never clamped. */
export function validatePageSize(limit: number): number {
  if (limit === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw invalid('limit', `limit must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return limit;
}

export function validateId(id: string, param = 'id'): string {
  if (id.length === 0) throw invalid(param, `${param} is required`);
  return id;
}
