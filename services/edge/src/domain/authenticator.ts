import { SwitchyardError } from '@switchyard/errors';
import type { AuthState } from './auth-state.js';
import { ANONYMOUS, admitKey, hashKey, missingKeyError } from './policy.js';
import type { PolicyCache } from './policy-cache.js';
import type { KeyPolicy, Principal } from './types.js';

export type AuthMode = 'optional' | 'required';

export interface AuthenticatorOptions {
  mode: AuthMode;
  cache: PolicyCache;
  /** The key count; needed in `optional` mode only. */
  state: AuthState | undefined;
  now?: () => number;
}

/**
 * Turns a presented credential into a principal. In `optional` mode, while no key
 * exists, every request is anonymous (a presented key is not checked: none can be
 * valid). Otherwise the key must exist, be enabled and not expired. A cache hit
 * answers synchronously; HTTP adapters await only when a promise comes back.
 */
export class Authenticator {
  private readonly mode: AuthMode;
  private readonly cache: PolicyCache;
  private readonly state: AuthState | undefined;
  private readonly now: () => number;
  private readonly admit = (policy: KeyPolicy | null): Principal => admitKey(policy, this.now());

  constructor(options: AuthenticatorOptions) {
    this.mode = options.mode;
    this.cache = options.cache;
    this.state = options.state;
    this.now = options.now ?? Date.now;
    if (this.mode === 'optional' && this.state === undefined) throw new Error('optional auth needs the key count (AuthState)');
  }

  authenticate(credential: string | undefined): Principal | Promise<Principal> {
    if (this.state !== undefined && this.mode === 'optional') {
      const count = this.state.keyCount;
      if (count === 0) return ANONYMOUS;
      if (count === undefined && credential === undefined) return this.anonymousIfOpen(this.state);
    }
    if (credential === undefined) throw missingKeyError();
    const policy = this.cache.get(hashKey(credential));
    return policy instanceof Promise ? policy.then(this.admit) : this.admit(policy);
  }

  /** The key count is unknown: ask governance once (shared), fail closed if it cannot answer. */
  private async anonymousIfOpen(state: AuthState): Promise<Principal> {
    try {
      await state.refresh();
    } catch (err) {
      throw new SwitchyardError('unavailable', 'authorization service unavailable', { cause: err });
    }
    if (state.keyCount === 0) return ANONYMOUS;
    throw missingKeyError();
  }
}
