import { z } from 'zod';

const DATE_TIME = 'expected an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z';
const isoDateTime = z.iso.datetime({ offset: true, error: DATE_TIME }).transform((s) => new Date(s));
const modelPatterns = z.array(z.string().trim().min(1, 'model patterns must be non-empty strings')).max(1000);
const name = z.string().trim().min(1, 'must be a non-empty string').max(200);
const id = z.string().min(1, 'must be a non-empty id').max(64);
const providerPatterns = z.array(z.string().trim().min(1, 'provider patterns must be non-empty strings')).max(256);
/** Client name -> tool names (`*`: all); `{}` allows no tool, null removes the allow-list. */
const mcpTools = z.record(z.string().min(1, 'client names must be non-empty'), z.array(z.string().min(1, 'tool names must be non-empty')).max(1000));

export const createKeyBody = z
  .object({
    name,
    enabled: z.boolean().default(true),
    expires_at: isoDateTime.nullable().optional(),
    allowed_models: modelPatterns.default(['*']),
    team_id: id.nullable().optional(),
    customer_id: id.nullable().optional(),
    allowed_providers: providerPatterns.default(['*']),
    mcp_tools: mcpTools.nullable().optional(),
  })
  .strict()
  // zod runs object refinements even when a field failed: check the type before using it.
  .refine((b) => !(b.expires_at instanceof Date) || b.expires_at.getTime() > Date.now(), { message: 'must be in the future', path: ['expires_at'] })
  .refine((b) => !(typeof b.team_id === 'string' && typeof b.customer_id === 'string'), {
    message: 'a key belongs to a team or to a customer, not both', path: ['team_id'],
  });

export const updateKeyBody = z
  .object({
    name: name.optional(),
    enabled: z.boolean().optional(),
    /** null clears the expiry. */
    expires_at: isoDateTime.nullable().optional(),
    allowed_models: modelPatterns.optional(),
    /** null takes the key out of its team / customer. */
    team_id: id.nullable().optional(),
    customer_id: id.nullable().optional(),
    allowed_providers: providerPatterns.optional(),
    /** null removes the key's own allow-list (back to groups only, or unrestricted). */
    mcp_tools: mcpTools.nullable().optional(),
  })
  .strict()
  .refine((b) => typeof b !== 'object' || b === null || Object.values(b).some((v) => v !== undefined), {
    message: 'nothing to update: send at least one of name, enabled, expires_at, allowed_models, team_id, customer_id, allowed_providers, mcp_tools',
  });

const limit = z.coerce.number({ error: 'must be an integer from 1 to 500' }).int('must be an integer from 1 to 500').min(1, 'must be an integer from 1 to 500').max(500, 'must be an integer from 1 to 500');

export const listKeysQuery = z.object({ limit: limit.optional(), cursor: z.string().optional() }).strict();

export const logsQuery = z
  .object({
    key_id: z.string().optional(),
    model: z.string().optional(),
    provider: z.string().optional(),
    kind: z.enum(['llm', 'tool', 'admin']).optional(),
    request_id: z.string().optional(),
    outcome: z.enum(['success', 'error']).optional(),
    since: isoDateTime.optional(),
    until: isoDateTime.optional(),
    limit: limit.optional(),
    cursor: z.string().optional(),
  })
  .strict();

export type CreateKeyBody = z.output<typeof createKeyBody>;
export type UpdateKeyBody = z.output<typeof updateKeyBody>;
