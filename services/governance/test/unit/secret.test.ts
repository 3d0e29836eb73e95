import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KEY_ID_FORMAT, KEY_PREFIX_LENGTH, SECRET_FORMAT, generateSecret, hashSecret, isKeyHash, newKeyId, secretPrefix, ulid } from '../../src/domain/index.js';

describe('secrets', () => {
  it('are sk-sy- followed by 32 base62 characters', () => {
    for (let i = 0; i < 200; i++) {
      const secret = generateSecret();
      expect(secret).toMatch(/^sk-sy-[0-9A-Za-z]{32}$/);
      expect(secret).toMatch(SECRET_FORMAT);
    }
  });

  it('do not repeat and use the whole alphabet', () => {
    const secrets = Array.from({ length: 2000 }, generateSecret);
    expect(new Set(secrets).size).toBe(secrets.length);
    const chars = new Set(secrets.join('').replaceAll('sk-sy-', ''));
    expect(chars.size).toBe(62);
  });

  it('hash to the lowercase hex SHA-256 of the secret', () => {
    const secret = generateSecret();
    const expected = createHash('sha256').update(secret).digest('hex');
    expect(hashSecret(secret)).toBe(expected);
    expect(isKeyHash(hashSecret(secret))).toBe(true);
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('show only their first 10 characters as the prefix', () => {
    const secret = generateSecret();
    expect(KEY_PREFIX_LENGTH).toBe(10);
    expect(secretPrefix(secret)).toBe(secret.slice(0, 10));
    expect(secretPrefix(secret)).toMatch(/^sk-sy-[0-9A-Za-z]{4}$/);
  });

  it('recognise only well-formed hashes', () => {
    expect(isKeyHash('a'.repeat(64))).toBe(true);
    expect(isKeyHash('A'.repeat(64))).toBe(false);
    expect(isKeyHash('a'.repeat(63))).toBe(false);
    expect(isKeyHash('')).toBe(false);
  });
});

describe('key ids', () => {
  it('are vk_ + a ULID that sorts by creation time', () => {
    const a = newKeyId(new Date('2024-01-01T00:00:00Z'));
    const b = newKeyId(new Date('2024-01-01T00:00:00.001Z'));
    expect(a).toMatch(KEY_ID_FORMAT);
    expect(b).toMatch(KEY_ID_FORMAT);
    expect(a < b).toBe(true);
    expect(ulid(0).slice(0, 10)).toBe('0000000000');
  });
});
