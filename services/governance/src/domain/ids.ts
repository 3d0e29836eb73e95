import { randomBytes } from 'node:crypto';

// Crockford base32, as ULIDs use it.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const KEY_ID_FORMAT = /^vk_[0-9A-HJKMNP-TV-Z]{26}$/;

/** A ULID: 48-bit millisecond time then 80 random bits, 26 characters, sortable by time. */
export function ulid(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  let random = '';
  for (const byte of randomBytes(16)) random += CROCKFORD[byte % 32];
  return time + random;
}

/** A virtual key id: `vk_` + ULID. */
export function newKeyId(now: Date): string {
  return `vk_${ulid(now.getTime())}`;
}

/** An entity id: `<prefix>_` + ULID (`cu_` customers, `tm_` teams, `tg_` tool groups). */
export function newEntityId(prefix: 'cu' | 'tm' | 'tg', now: Date): string {
  return `${prefix}_${ulid(now.getTime())}`;
}
