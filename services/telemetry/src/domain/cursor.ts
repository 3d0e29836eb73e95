import { SwitchyardError } from '@switchyard/errors';
import type { AuditCursor } from './types.js';

const VERSION = '1';
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BODY = /^(\d{1,16}):([\s\S]{1,512})$/;

function invalid(): SwitchyardError {
  return new SwitchyardError('invalid_argument', 'cursor is not valid: pass next_cursor from a previous response unchanged', { param: 'cursor' });
}

/** An opaque page token: base64url of `1:<epoch ms>:<event id>`. */
export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(`${VERSION}:${cursor.time.getTime()}:${cursor.eventId}`, 'utf8').toString('base64url');
}

/** The position a cursor names; anything not made by `encodeCursor` is `invalid_argument` (param `cursor`). */
export function decodeCursor(token: string): AuditCursor {
  if (token.length > 1024 || !BASE64URL.test(token)) throw invalid();
  const text = Buffer.from(token, 'base64url').toString('utf8');
  // Canonical form only: a token that does not re-encode to itself was not made by us.
  if (Buffer.from(text, 'utf8').toString('base64url') !== token) throw invalid();
  if (!text.startsWith(`${VERSION}:`)) throw invalid();
  const match = BODY.exec(text.slice(VERSION.length + 1));
  if (!match) throw invalid();
  const time = new Date(Number(match[1]));
  if (Number.isNaN(time.getTime())) throw invalid();
  return { time, eventId: match[2]! };
}
