import { hash } from 'node:crypto';
import { SwitchyardError } from '@switchyard/errors';
import { ALLOW_ALL_MODELS } from '@switchyard/config';
import type { KeyPolicy, Principal } from './types.js';

/** The caller of an open gateway (no key exists yet). */
export const ANONYMOUS: Principal = Object.freeze({ keyId: '', models: ALLOW_ALL_MODELS, allowedModels: Object.freeze(['*']) });

/** SHA-256 of the presented secret, hex: what governance stores and looks up. */
export function hashKey(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** The key from `Authorization: Bearer <key>`, else from `x-api-key`; undefined when neither has one. */
export function credentialFrom(authorization: string | undefined, apiKey: string | readonly string[] | undefined): string | undefined {
  if (authorization !== undefined && authorization.length > 7 && authorization.charCodeAt(6) === 32
    && authorization.slice(0, 6).toLowerCase() === 'bearer') {
    const key = authorization.slice(7).trim();
    if (key.length > 0) return key;
  }
  if (typeof apiKey === 'string') {
    const key = apiKey.trim();
    if (key.length > 0) return key;
  }
  return undefined;
}

export function missingKeyError(): SwitchyardError {
  return new SwitchyardError('unauthenticated', "missing API key: send 'Authorization: Bearer <key>'", { code: 'missing_api_key' });
}

/** Admits a looked-up key at `nowMs`, or throws why not. */
export function admitKey(policy: KeyPolicy | null, nowMs: number): KeyPolicy {
  if (policy === null) throw new SwitchyardError('unauthenticated', 'invalid API key', { code: 'invalid_api_key' });
  if (!policy.enabled) throw new SwitchyardError('unauthenticated', 'this API key is disabled', { code: 'key_disabled' });
  if (nowMs >= policy.expiresAtMs) throw new SwitchyardError('unauthenticated', 'this API key has expired', { code: 'key_expired' });
  return policy;
}

/** Throws 403 `model_not_allowed` unless the principal may use `model`. */
export function authorizeModel(principal: Principal, model: string): void {
  if (principal.models(model)) return;
  throw new SwitchyardError('permission_denied', `this API key may not use model '${model}'`, { code: 'model_not_allowed', param: 'model' });
}
