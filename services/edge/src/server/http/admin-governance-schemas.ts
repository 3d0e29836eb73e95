import { z } from 'zod';

const name = z.string().trim().min(1, 'must be a non-empty string').max(200);
const id = z.string().min(1, 'must be a non-empty id').max(64);
const limit = z.coerce.number({ error: 'must be an integer from 1 to 500' }).int('must be an integer from 1 to 500').min(1, 'must be an integer from 1 to 500').max(500, 'must be an integer from 1 to 500');
const nothing = (fields: string) => ({ message: `nothing to update: send at least one of ${fields}` });
const someField = (b: unknown): boolean => typeof b !== 'object' || b === null || Object.values(b).some((v) => v !== undefined);

export const pageQuery = z.object({ limit: limit.optional(), cursor: z.string().optional() }).strict();
export const teamsQuery = pageQuery.extend({ customer_id: z.string().min(1).optional() }).strict();

export const createCustomerBody = z.object({ name }).strict();
export const updateCustomerBody = z.object({ name: name.optional() }).strict().refine(someField, nothing('name'));

export const createTeamBody = z.object({ name, customer_id: id.nullable().optional() }).strict();
/** customer_id null takes the team out of its customer. */
export const updateTeamBody = z.object({ name: name.optional(), customer_id: id.nullable().optional() }).strict().refine(someField, nothing('name, customer_id'));

const groupTools = z
  .array(z.object({ client: z.string().min(1, 'must be a non-empty client name'), tools: z.array(z.string().min(1, 'tool names must be non-empty')).min(1, 'name at least one tool (or "*")').max(1000) }).strict())
  .max(256);

export const createToolGroupBody = z
  .object({
    name,
    /** Derived from the name when absent (lowercase, other runs become '-'). Immutable. */
    slug: z.string().min(1).max(64).optional(),
    description: z.string().max(1000).default(''),
    enabled: z.boolean().default(true),
    tools: groupTools,
  })
  .strict();

export const updateToolGroupBody = z
  .object({ name: name.optional(), description: z.string().max(1000).optional(), enabled: z.boolean().optional(), tools: groupTools.optional() })
  .strict()
  .refine(someField, nothing('name, description, enabled, tools (the slug never changes)'));

export const attachmentKind = z.enum(['key', 'team', 'customer'], { error: "must be one of 'key', 'team', 'customer'" });
export const attachmentBody = z.object({ entity_kind: attachmentKind, entity_id: id }).strict();
