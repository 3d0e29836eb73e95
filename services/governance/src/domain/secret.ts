import { createHash, randomBytes } from 'node:crypto';

/** Every virtual-key secret starts with this, so scanners and humans recognise one. */
export const SECRET_PREFIX = 'sk-sy-';
/** Random characters after the prefix: 32 base62 characters, about 190 bits. */
export const SECRET_RANDOM_LENGTH = 32;
/** How many leading characters of the secret are stored in clear, to recognise a key in lists. */
export const KEY_PREFIX_LENGTH = 10;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// 248 = 4 * 62: bytes at or above it are discarded so that every character is equally likely.
const UNBIASED_LIMIT = 248;

export const SECRET_FORMAT = new RegExp(`^${SECRET_PREFIX}[0-9A-Za-z]{${SECRET_RANDOM_LENGTH}}$`);
const KEY_HASH_FORMAT = /^[0-9a-f]{64}$/;

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < UNBIASED_LIMIT) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A new secret: `sk-sy-` + 32 base62 characters from the system CSPRNG. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBase62(SECRET_RANDOM_LENGTH);
}

/** SHA-256 of the secret, lowercase hex: the only form the secret is stored in. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The first characters of a secret, shown in lists (`sk-sy-AbCd`). */
export function secretPrefix(secret: string): string {
  return secret.slice(0, KEY_PREFIX_LENGTH);
}

export function isKeyHash(value: string): boolean {
  return KEY_HASH_FORMAT.test(value);
}
