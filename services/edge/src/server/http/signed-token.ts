import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The gateway's signed tokens (`/mcp` session ids, MRTR request states): `sy1.<body>.<MAC>`,
 * the MAC an HMAC-SHA256 (base64url) of a purpose-specific input that includes the body.
 */
const PREFIX = 'sy1';

export function hmac(secret: string, input: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

export function signedToken(body: string, mac: string): string {
  return `${PREFIX}.${body}.${mac}`;
}

/** True for a string shaped like one of our tokens (whatever its validity). */
export function isSignedToken(token: string): boolean {
  return token.startsWith(`${PREFIX}.`);
}

/** The body of `token` when its MAC equals `macOf(body)` (constant-time); undefined otherwise. */
export function verifiedBody(token: string, macOf: (body: string) => string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return undefined;
  const [, body = '', given = ''] = parts;
  const expected = Buffer.from(macOf(body));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? body : undefined;
}
