import { describe, it, expect } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import { decodeCursor, encodeCursor } from '../../src/domain/cursor.js';

function expectBadCursor(token: string): void {
  let caught: unknown;
  try {
    decodeCursor(token);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SwitchyardError);
  expect((caught as SwitchyardError).kind).toBe('invalid_argument');
  expect((caught as SwitchyardError).param).toBe('cursor');
}

describe('cursor', () => {
  it('round-trips time and event id, including ids with colons and non-ASCII', () => {
    for (const eventId of ['0b6f3c9e-6c1a-4d7e-9a51-3f2c1d0e9b8a', 'a:b:c', 'événement-✓']) {
      const time = new Date('2025-11-21T10:11:12.345Z');
      const token = encodeCursor({ time, eventId });
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(token)).toEqual({ time, eventId });
    }
  });

  it('is opaque: it does not show the event id in clear', () => {
    expect(encodeCursor({ time: new Date(0), eventId: 'visible-id' })).not.toContain('visible-id');
  });

  it('refuses anything it did not make', () => {
    const good = encodeCursor({ time: new Date(1_700_000_000_000), eventId: 'e1' });
    expectBadCursor('not a cursor!');
    expectBadCursor(`${good}=`); // padding is not canonical base64url
    expectBadCursor(Buffer.from('2:1700000000000:e1').toString('base64url')); // unknown version
    expectBadCursor(Buffer.from('1:abc:e1').toString('base64url'));
    expectBadCursor(Buffer.from('1:1700000000000:').toString('base64url')); // no event id
    expectBadCursor(Buffer.from('1:9999999999999999:e1').toString('base64url')); // time out of range
    expectBadCursor('A'.repeat(2000));
  });
});
