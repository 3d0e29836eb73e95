import { SwitchyardError } from '@switchyard/errors';
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { readBody } from './body.js';
import { parseJsonBody } from './validation.js';

/** What every admin route module shares: the Hono env, dates as ISO strings, the JSON body reader. */
const ADMIN_BODY_LIMIT = 64 * 1024;

export const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export type AdminEnv = { Bindings: HttpBindings };

/** The JSON body, read from the raw Node request with the limit enforced while reading. */
export async function jsonBody(c: Context<AdminEnv>): Promise<unknown> {
  const type = c.req.header('content-type');
  if (type !== undefined && !type.toLowerCase().startsWith('application/json')) {
    throw new SwitchyardError('invalid_argument', `unsupported content-type '${type}': send application/json`);
  }
  const body = await readBody(c.env.incoming, ADMIN_BODY_LIMIT);
  return parseJsonBody(body.toString('utf8'));
}
