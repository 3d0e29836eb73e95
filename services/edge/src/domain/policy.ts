import { hash } from 'node:crypto';
import { SwitchyardError } from '@switchyard/errors';
import { ALLOW_ALL_MODELS } from '@switchyard/config';
import { UNRESTRICTED_SCOPE } from '@switchyard/limits';
import type { KeyPolicy, Principal } from './types.js';

/** The caller of an open gateway (no key exists yet). */
export const ANONYMOUS: Principal = Object.freeze({
  keyId: '',
  models: ALLOW_ALL_MODELS,
  allowedModels: Object.freeze(['*']),
  teamId: '',
  customerId: '',
  providers: ALLOW_ALL_MODELS,
  allowedProviders: Object.freeze(['*']),
  toolScope: UNRESTRICTED_SCOPE,
  groupSlugs: Object.freeze([]),
});

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

/** The provider a `provider/model` string names ('' for a bare model). */
export function providerOf(model: string): string {
  const slash = model.indexOf('/');
  return slash <= 0 ? '' : model.slice(0, slash);
}

/**
 * Throws 403 `provider_not_allowed` unless the principal may use the provider `model`
 * names. A bare model (no `provider/`) is allowed only to a key that may use every
 * provider: llm-proxy picks its provider, and the edge cannot tell which.
 */
export function authorizeProvider(principal: Principal, model: string, param = 'model'): void {
  if (principal.providers === ALLOW_ALL_MODELS) return;
  const provider = providerOf(model);
  if (provider !== '' && principal.providers(provider)) return;
  const message = provider === ''
    ? `this API key may only use some providers: name one in the model ('provider/model'), not '${model}'`
    : `this API key may not use provider '${provider}'`;
  throw new SwitchyardError('permission_denied', message, { code: 'provider_not_allowed', param });
}

/** A body's `fallbacks` (other `provider/model` targets) must name allowed providers too. */
export function authorizeFallbackProviders(principal: Principal, fallbacks: unknown): void {
  if (principal.providers === ALLOW_ALL_MODELS || !Array.isArray(fallbacks)) return;
  fallbacks.forEach((f, i) => {
    if (typeof f === 'string') authorizeProvider(principal, f, `fallbacks[${i}]`);
  });
}
