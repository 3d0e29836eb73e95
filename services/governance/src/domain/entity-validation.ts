import { SwitchyardError } from '@switchyard/errors';
import { ALL_TOOLS, type ToolAllowList } from '@switchyard/limits';
import type { Attachment, EntityKind, ToolGroupEntry } from './entities.js';

export const MAX_PROVIDER_PATTERNS = 256;
export const MAX_CLIENTS = 256;
export const MAX_TOOLS_PER_CLIENT = 1000;
export const MAX_SLUG_LENGTH = 64;
export const MAX_DESCRIPTION_LENGTH = 1000;
const MAX_IDENT_LENGTH = 128;

// Printable ASCII without whitespace.
const PRINTABLE = /^[\x21-\x7e]+$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ENTITY_KINDS: readonly EntityKind[] = ['key', 'team', 'customer'];

function invalid(param: string, message: string): SwitchyardError {
  return new SwitchyardError('invalid_argument', message, { param });
}

/** Provider patterns (`openai`, `open*`, `*`): no `/`, printable ASCII; duplicates are refused. */
export function validateProviderPatterns(patterns: readonly string[], param = 'allowed_providers'): string[] {
  if (patterns.length > MAX_PROVIDER_PATTERNS) throw invalid(param, `${param} must have at most ${MAX_PROVIDER_PATTERNS} patterns`);
  const seen = new Set<string>();
  patterns.forEach((p, i) => {
    const at = `${param}[${i}]`;
    if (p.length === 0 || p.length > MAX_IDENT_LENGTH || !PRINTABLE.test(p)) {
      throw invalid(at, `${at} must be 1..${MAX_IDENT_LENGTH} printable ASCII characters without whitespace`);
    }
    if (p.includes('/')) throw invalid(at, `${at} names a provider (the part of "provider/model" before "/"), so it must not contain "/"`);
    if (seen.has(p)) throw invalid(at, `${at} repeats "${p}"`);
    seen.add(p);
  });
  return [...patterns];
}

function validateIdent(value: string, param: string): string {
  if (value.length === 0 || value.length > MAX_IDENT_LENGTH || !PRINTABLE.test(value)) {
    throw invalid(param, `${param} must be 1..${MAX_IDENT_LENGTH} printable ASCII characters without whitespace`);
  }
  return value;
}

function validateToolNames(tools: readonly string[], param: string): string[] {
  if (tools.length > MAX_TOOLS_PER_CLIENT) throw invalid(param, `${param} must have at most ${MAX_TOOLS_PER_CLIENT} tools`);
  const seen = new Set<string>();
  tools.forEach((t, i) => {
    validateIdent(t, `${param}[${i}]`);
    if (t !== ALL_TOOLS && t.includes('*')) throw invalid(`${param}[${i}]`, `${param}[${i}] may be "*" (every tool) or a tool name, not a pattern`);
    if (seen.has(t)) throw invalid(`${param}[${i}]`, `${param}[${i}] repeats "${t}"`);
    seen.add(t);
  });
  return [...tools];
}

/** A key's MCP allow-list: client name -> tool names (`*`: all); `{}` allows no tool. */
export function validateToolAllowList(list: ToolAllowList, param = 'mcp_tools'): Record<string, string[]> {
  const entries = Object.entries(list);
  if (entries.length > MAX_CLIENTS) throw invalid(param, `${param} must name at most ${MAX_CLIENTS} clients`);
  const out: Record<string, string[]> = {};
  for (const [client, tools] of entries) {
    validateIdent(client, `${param}.${client}`);
    out[client] = validateToolNames(tools, `${param}.${client}`);
  }
  return out;
}

/** A group's tools: one entry per client, at least one tool each. */
export function validateGroupTools(entries: readonly ToolGroupEntry[], param = 'tools'): ToolGroupEntry[] {
  if (entries.length > MAX_CLIENTS) throw invalid(param, `${param} must name at most ${MAX_CLIENTS} clients`);
  const clients = new Set<string>();
  return entries.map((e, i) => {
    const at = `${param}[${i}]`;
    validateIdent(e.client, `${at}.client`);
    if (clients.has(e.client)) throw invalid(`${at}.client`, `${at}.client repeats "${e.client}": list each client once`);
    clients.add(e.client);
    if (e.tools.length === 0) throw invalid(`${at}.tools`, `${at}.tools must name at least one tool (or "*")`);
    return { client: e.client, tools: validateToolNames(e.tools, `${at}.tools`) };
  });
}

/** The slug a name gives: lowercase, every run of other characters becomes one '-'. */
export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '');
}

/** A given slug, or the one derived from the name. */
export function validateSlug(slug: string, name: string): string {
  const value = slug === '' ? slugify(name) : slug;
  if (value === '') throw invalid('slug', 'no slug can be derived from this name: give one (lowercase letters, digits and "-")');
  if (value.length > MAX_SLUG_LENGTH || !SLUG.test(value)) {
    throw invalid('slug', `slug must be 1..${MAX_SLUG_LENGTH} lowercase letters or digits, in runs joined by single '-'`);
  }
  return value;
}

export function validateDescription(description: string): string {
  if (description.length > MAX_DESCRIPTION_LENGTH) throw invalid('description', `description must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  return description;
}

export function validateAttachment(attachment: { entityKind: string; entityId: string } | undefined): Attachment {
  if (attachment === undefined) throw invalid('attachment', 'attachment is required');
  const kind = attachment.entityKind as EntityKind;
  if (!ENTITY_KINDS.includes(kind)) throw invalid('attachment.entity_kind', `attachment.entity_kind must be one of ${ENTITY_KINDS.join(', ')}`);
  if (attachment.entityId === '') throw invalid('attachment.entity_id', 'attachment.entity_id is required');
  return { entityKind: kind, entityId: attachment.entityId };
}
