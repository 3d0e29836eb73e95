import { hash, timingSafeEqual } from 'node:crypto';
import { SwitchyardError } from '@switchyard/errors';
import type { MiddlewareHandler } from 'hono';
import { credentialFrom } from '../../domain/policy.js';

function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/**
 * `Authorization: Bearer <admin_token>`, compared in constant time (digests of equal
 * length). Without a configured token the admin API is closed to everyone.
 */
export function adminAuth(token: string | undefined): MiddlewareHandler {
  const expected = token === undefined ? undefined : digest(token);
  return async (c, next) => {
    if (expected === undefined) {
      throw new SwitchyardError('unauthenticated', 'the admin API is disabled: set SWITCHYARD_ADMIN_TOKEN', { code: 'admin_disabled' });
    }
    const presented = credentialFrom(c.req.header('authorization'), undefined);
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new SwitchyardError('unauthenticated', 'invalid admin token', { code: 'invalid_admin_token' });
    }
    await next();
  };
}
