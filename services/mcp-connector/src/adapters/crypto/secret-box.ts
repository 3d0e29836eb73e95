import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** `v1:<key id>:<base64url(iv ‖ tag ‖ ciphertext)>`: what a secret looks like at rest. */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Parses an AES-256 key: 32 bytes as base64 / base64url (43-44 characters) or hex (64).
 * Throws with a message that says what is expected (it reaches a config error).
 */
export function parseEncryptionKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  throw new Error('the encryption key must be 32 random bytes, base64 (e.g. `openssl rand -base64 32`) or hex');
}

/** A new random key, base64: what the embedded mode writes into its data directory. */
export function generateEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * AES-256-GCM for secrets at rest. Every value gets a fresh 96-bit IV; the associated
 * data binds a ciphertext to where it belongs (client and field), so a value copied
 * into another row or field fails to decrypt instead of leaking there.
 */
export class SecretBox {
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
    this.#key = key;
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  encrypt(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}:${this.keyId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  decrypt(sealed: string, context: string): string {
    const [version, keyId, payload] = sealed.split(':');
    if (version !== VERSION || payload === undefined) throw new Error('not an encrypted value');
    if (keyId !== this.keyId) throw new Error(`encrypted with another key (id ${keyId}, this key is ${this.keyId})`);
    const raw = Buffer.from(payload, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
