import { SwitchyardError } from '@switchyard/errors';
import type { KeyPosition } from './keys.js';

const ID_FORMAT = /^[A-Za-z0-9_-]{1,64}$/;

function invalid(): SwitchyardError {
  return new SwitchyardError('invalid_argument', 'cursor is not one this service issued', { param: 'cursor' });
}

/** An opaque page cursor: base64url of `[created_at in ms, id]`. */
export function encodeCursor(position: KeyPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.getTime(), position.id]), 'utf8').toString('base64url');
}

/** The position a cursor names; a cursor this service did not issue is `invalid_argument`. */
export function decodeCursor(cursor: string): KeyPosition {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid();
  const [ms, id] = value as unknown[];
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) throw invalid();
  if (typeof id !== 'string' || !ID_FORMAT.test(id)) throw invalid();
  return { createdAt: new Date(ms), id };
}
