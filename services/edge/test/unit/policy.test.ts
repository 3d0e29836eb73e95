import { compileModelPatterns } from '@switchyard/config';
import { SwitchyardError } from '@switchyard/errors';
import { describe, expect, it } from 'vitest';
import { AuthState } from '../../src/domain/auth-state.js';
import { Authenticator } from '../../src/domain/authenticator.js';
import { filterModelList } from '../../src/domain/models-list.js';
import { ANONYMOUS, admitKey, authorizeModel, credentialFrom, hashKey } from '../../src/domain/policy.js';
import { PolicyCache } from '../../src/domain/policy-cache.js';
import type { KeyPolicy } from '../../src/domain/types.js';

function policy(init: Partial<Omit<KeyPolicy, 'models'>> = {}): KeyPolicy {
  const allowedModels = init.allowedModels ?? ['*'];
  return { keyId: 'k1', enabled: true, expiresAtMs: Number.POSITIVE_INFINITY, ...init, allowedModels, models: compileModelPatterns(allowedModels) };
}

function errorOf(fn: () => unknown): SwitchyardError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SwitchyardError) return err;
  }
  throw new Error('expected a SwitchyardError');
}

describe('key decisions', () => {
  it('unknown → invalid_api_key, disabled → key_disabled, expired → key_expired', () => {
    expect(errorOf(() => admitKey(null, 0))).toMatchObject({ kind: 'unauthenticated', code: 'invalid_api_key' });
    expect(errorOf(() => admitKey(policy({ enabled: false }), 0))).toMatchObject({ kind: 'unauthenticated', code: 'key_disabled' });
    expect(errorOf(() => admitKey(policy({ expiresAtMs: 1000 }), 1000))).toMatchObject({ kind: 'unauthenticated', code: 'key_expired' });
    expect(admitKey(policy({ expiresAtMs: 1001 }), 1000).keyId).toBe('k1');
  });

  it('model not allowed → 403 model_not_allowed on param model', () => {
    const e = errorOf(() => authorizeModel(policy({ allowedModels: ['openai/*'] }), 'anthropic/claude'));
    expect(e).toMatchObject({ kind: 'permission_denied', code: 'model_not_allowed', param: 'model', httpStatus: 403 });
    expect(() => authorizeModel(ANONYMOUS, 'anything')).not.toThrow();
  });

  it('credentials: Bearer (any case), else x-api-key', () => {
    expect(credentialFrom('Bearer sk-1', undefined)).toBe('sk-1');
    expect(credentialFrom('bearer  sk-2 ', undefined)).toBe('sk-2');
    expect(credentialFrom('Basic abc', 'sk-3')).toBe('sk-3');
    expect(credentialFrom('Bearer ', undefined)).toBeUndefined();
    expect(credentialFrom(undefined, ['a', 'b'])).toBeUndefined();
    expect(credentialFrom(undefined, undefined)).toBeUndefined();
  });

  it('hashes keys as hex SHA-256', () => {
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('Authenticator', () => {
  const secret = 'sk-good';
  const directory = {
    lookup: async (hash: string) => (hash === hashKey(secret) ? policy() : null),
  };
  function make(mode: 'optional' | 'required', count: () => Promise<number>): { auth: Authenticator; state: AuthState } {
    const state = new AuthState(count);
    const cache = new PolicyCache(directory, { ttlMs: 1000, negativeTtlMs: 1000, maxEntries: 10 });
    return { auth: new Authenticator({ mode, cache, state: mode === 'optional' ? state : undefined }), state };
  }

  it('optional and no key exists: anonymous, even with a key presented', async () => {
    const { auth, state } = make('optional', async () => 0);
    await state.refresh();
    expect(auth.authenticate(undefined)).toBe(ANONYMOUS);
    expect(auth.authenticate('sk-whatever')).toBe(ANONYMOUS);
  });

  it('optional with keys: a key is needed and checked', async () => {
    const { auth, state } = make('optional', async () => 3);
    await state.refresh();
    expect(errorOf(() => auth.authenticate(undefined)).code).toBe('missing_api_key');
    expect((await auth.authenticate(secret)).keyId).toBe('k1');
    // Now cached: answered synchronously.
    expect((auth.authenticate(secret) as { keyId: string }).keyId).toBe('k1');
    await expect(auth.authenticate('sk-bad')).rejects.toMatchObject({ code: 'invalid_api_key' });
  });

  it('optional with an unknown count asks governance, and fails closed when it cannot answer', async () => {
    let fail = true;
    const { auth } = make('optional', async () => {
      if (fail) throw new Error('down');
      return 0;
    });
    await expect(auth.authenticate(undefined)).rejects.toMatchObject({ kind: 'unavailable', message: 'authorization service unavailable' });
    fail = false;
    await expect(auth.authenticate(undefined)).resolves.toBe(ANONYMOUS);
  });

  it('required: a key even when none exists', () => {
    const { auth } = make('required', async () => 0);
    expect(errorOf(() => auth.authenticate(undefined)).code).toBe('missing_api_key');
  });
});

describe('AuthState', () => {
  it('a refresh asked for during a running one runs again after it', async () => {
    let calls = 0;
    let value = 0;
    const state = new AuthState(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return value;
    });
    const first = state.refresh();
    value = 1; // changed after the first read started
    const second = state.refresh();
    expect(second).toBe(first);
    await expect(second).resolves.toBe(1);
    expect(calls).toBe(2);
    expect(state.keyCount).toBe(1);
  });

  it('an open gateway whose count cannot be read is closed (unknown)', async () => {
    let fail = false;
    const changes: (number | undefined)[] = [];
    const state = new AuthState(async () => {
      if (fail) throw new Error('down');
      return 0;
    }, (count) => changes.push(count));
    await state.refresh();
    fail = true;
    await expect(state.refresh()).rejects.toThrow('down');
    expect(state.keyCount).toBeUndefined();
    expect(changes).toEqual([0, undefined]);
  });
});

describe('filterModelList', () => {
  const body = new TextEncoder().encode(JSON.stringify({ object: 'list', data: [{ id: 'openai/a' }, { id: 'anthropic/b' }, { nope: 1 }] }));
  it('returns the bytes untouched for a key that may use every model', () => {
    expect(filterModelList(body, ANONYMOUS)).toBe(body);
  });
  it('keeps only the allowed models', () => {
    expect(JSON.parse(filterModelList(body, policy({ allowedModels: ['openai/*'] })) as string)).toEqual({ object: 'list', data: [{ id: 'openai/a' }] });
  });
});
