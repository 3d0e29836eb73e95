import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import {
  validateKeyPatch, validateModelPatterns, validateName, validateNewKey, validatePageSize, type KeyUpdateRequest,
} from '../../src/domain/index.js';

function rejection(fn: () => unknown): SwitchyardError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SwitchyardError) return err;
    throw err;
  }
  throw new Error('expected a SwitchyardError');
}

const now = new Date('2030-01-01T00:00:00Z');
const noUpdate: KeyUpdateRequest = { clearExpiresAt: false, allowedModels: [], setAllowedModels: false };

describe('names', () => {
  it('accepts 1..128 characters, counting code points', () => {
    expect(validateName('a')).toBe('a');
    expect(validateName('x'.repeat(128))).toHaveLength(128);
    expect(validateName('🔑'.repeat(128))).toBe('🔑'.repeat(128));
  });

  it.each([
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['x'.repeat(129), 'at most 128'],
    ['bad\u0000name', 'control'],
  ])('rejects %j with param name', (name, message) => {
    const e = rejection(() => validateName(name));
    expect(e.kind).toBe('invalid_argument');
    expect(e.param).toBe('name');
    expect(e.message).toContain(message);
  });
});

describe('allowed models', () => {
  it('names the index of the bad pattern', () => {
    const e = rejection(() => validateModelPatterns(['openai/*', '']));
    expect(e.kind).toBe('invalid_argument');
    expect(e.param).toBe('allowed_models[1]');
  });

  it('rejects duplicates rather than merging them', () => {
    expect(rejection(() => validateModelPatterns(['openai/*', 'openai/*'])).param).toBe('allowed_models[1]');
  });

  it('accepts an empty list (allows nothing)', () => {
    expect(validateModelPatterns([])).toEqual([]);
  });
});

describe('new keys', () => {
  const base = { name: 'ci', enabled: true, expiresAt: undefined, allowedModels: ['*'], teamId: undefined, customerId: undefined, allowedProviders: ['*'], mcpTools: undefined };

  it('passes a valid key through', () => {
    const expiresAt = new Date(now.getTime() + 60_000);
    expect(validateNewKey({ ...base, expiresAt }, now)).toEqual({ ...base, expiresAt });
  });

  it('requires the expiry to be in the future', () => {
    expect(rejection(() => validateNewKey({ ...base, expiresAt: now }, now)).param).toBe('expires_at');
    expect(rejection(() => validateNewKey({ ...base, expiresAt: new Date(now.getTime() - 1) }, now)).param).toBe('expires_at');
  });

  it('checks the name and the models', () => {
    expect(rejection(() => validateNewKey({ ...base, name: '' }, now)).param).toBe('name');
    expect(rejection(() => validateNewKey({ ...base, allowedModels: ['gpt-4o'] }, now)).param).toBe('allowed_models[0]');
  });
});

describe('key updates', () => {
  it('changes nothing when nothing is asked', () => {
    expect(validateKeyPatch(noUpdate)).toEqual({});
  });

  it('maps each field present', () => {
    const expiresAt = new Date('2020-01-01T00:00:00Z');
    expect(validateKeyPatch({ ...noUpdate, name: 'renamed', enabled: false, expiresAt, allowedModels: ['openai/*'], setAllowedModels: true }))
      .toEqual({ name: 'renamed', enabled: false, expiresAt, allowedModels: ['openai/*'] });
  });

  it('clears the expiry with null and the models with an empty list', () => {
    expect(validateKeyPatch({ ...noUpdate, clearExpiresAt: true, setAllowedModels: true })).toEqual({ expiresAt: null, allowedModels: [] });
  });

  it('refuses setting and clearing the expiry together', () => {
    expect(rejection(() => validateKeyPatch({ ...noUpdate, expiresAt: now, clearExpiresAt: true })).param).toBe('clear_expires_at');
  });

  it('refuses models sent without set_allowed_models instead of ignoring them', () => {
    expect(rejection(() => validateKeyPatch({ ...noUpdate, allowedModels: ['openai/*'] })).param).toBe('allowed_models');
  });

  it('validates a new name', () => {
    expect(rejection(() => validateKeyPatch({ ...noUpdate, name: '' })).param).toBe('name');
  });
});

describe('page size', () => {
  it('defaults 0 to 100 and keeps 1..500', () => {
    expect(validatePageSize(0)).toBe(100);
    expect(validatePageSize(1)).toBe(1);
    expect(validatePageSize(500)).toBe(500);
  });

  it('refuses more than 500 rather than clamping', () => {
    const e = rejection(() => validatePageSize(501));
    expect(e.kind).toBe('invalid_argument');
    expect(e.param).toBe('limit');
  });
});

describe('governance entities', () => {
  const base = { name: 'ci', enabled: true, expiresAt: undefined, allowedModels: ['*'], teamId: undefined, customerId: undefined, allowedProviders: ['*'], mcpTools: undefined };
  it('derives a slug from the name, or checks the one given', async () => {
    const { slugify, validateSlug } = await import('../../src/domain/index.js');
    expect(slugify('  Read-only Files (v2)! ')).toBe('read-only-files-v2');
    expect(validateSlug('', 'Read Only')).toBe('read-only');
    expect(validateSlug('my-group', 'whatever')).toBe('my-group');
    expect(rejection(() => validateSlug('', '!!!')).param).toBe('slug');
    expect(rejection(() => validateSlug('Bad_Slug', 'x')).param).toBe('slug');
    expect(rejection(() => validateSlug('tg_abc', 'x')).param).toBe('slug');
  });

  it('refuses a key with both a team and a customer', () => {
    const err = rejection(() => validateNewKey({ ...base, teamId: 'tm_1', customerId: 'cu_1' }, now));
    expect(err.param).toBe('team_id');
    expect(err.code).toBe('owner_conflict');
  });

  it('checks provider patterns and tool allow-lists', async () => {
    const { validateProviderPatterns, validateToolAllowList, validateGroupTools } = await import('../../src/domain/index.js');
    expect(validateProviderPatterns(['openai', 'anth*'])).toEqual(['openai', 'anth*']);
    expect(rejection(() => validateProviderPatterns(['openai/gpt-4o'])).param).toBe('allowed_providers[0]');
    expect(rejection(() => validateProviderPatterns(['a', 'a'])).param).toBe('allowed_providers[1]');
    expect(validateToolAllowList({ filesystem: ['read_file'], memory: ['*'] })).toEqual({ filesystem: ['read_file'], memory: ['*'] });
    expect(validateToolAllowList({})).toEqual({});
    expect(rejection(() => validateToolAllowList({ fs: ['read_*'] })).param).toBe('mcp_tools.fs[0]');
    expect(rejection(() => validateToolAllowList({ fs: ['a', 'a'] })).param).toBe('mcp_tools.fs[1]');
    expect(rejection(() => validateGroupTools([{ client: 'fs', tools: [] }])).param).toBe('tools[0].tools');
    expect(rejection(() => validateGroupTools([{ client: 'fs', tools: ['a'] }, { client: 'fs', tools: ['b'] }])).param).toBe('tools[1].client');
  });
});
