import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import { decodeCursor, encodeCursor } from '../../src/domain/index.js';

describe('list cursors', () => {
  it('round-trip a position to the millisecond', () => {
    const position = { createdAt: new Date('2025-03-04T05:06:07.089Z'), id: 'vk_01JNQ3ZQ4M8V1Y2X3W4V5T6S7R' };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    'not base64!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[1]').toString('base64url'),
    Buffer.from('["x","vk_1"]').toString('base64url'),
    Buffer.from('[-5,"vk_1"]').toString('base64url'),
    Buffer.from('[1,"bad id with spaces"]').toString('base64url'),
    Buffer.from('garbage').toString('base64url'),
  ])('rejects %j as invalid_argument on cursor', (cursor) => {
    let caught: unknown;
    try {
      decodeCursor(cursor);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SwitchyardError);
    expect((caught as SwitchyardError).kind).toBe('invalid_argument');
    expect((caught as SwitchyardError).param).toBe('cursor');
  });
});
