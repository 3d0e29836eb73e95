import type { ForwardOutcome, McpCatalogItem, McpCatalogLists } from '../../domain/ports.js';

/**
 * Resources, resource templates, prompts and completions of the northbound MCP server:
 * listed from mcp-connector's catalog and forwarded to the owning client. On the
 * aggregate `/mcp` prompts carry the `<client>-` prefix like tools and resources keep
 * their URIs (the catalog says which client owns each); on `/mcp/clients/<name>`
 * everything keeps its upstream name. Definitions pass through untouched.
 */

type Json = Record<string, unknown>;

export interface CatalogSource {
  /** The endpoint's client (`/mcp/clients/<name>`), or undefined for the aggregate `/mcp`. */
  readonly client: string | undefined;
  lists(): Promise<McpCatalogLists>;
  forward(client: string, method: string, params: Json): Promise<ForwardOutcome>;
  /**
   * A legacy session's resource subscriptions, reference-counted across sessions: `add`
   * says whether this is the first subscriber (subscribe upstream), `remove` whether it was
   * the last (unsubscribe upstream). Absent: subscribe/unsubscribe are forwarded as they come.
   */
  readonly subscriptions?: {
    add(client: string, uri: string): Promise<boolean>;
    remove(client: string, uri: string): Promise<boolean>;
  };
}

export type CatalogAnswer = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

const INVALID_PARAMS = -32602;
/** Resource not found (legacy revisions; 2026-07-28 uses -32602). */
const RESOURCE_NOT_FOUND = -32002;

export const CATALOG_METHODS: ReadonlySet<string> = new Set([
  'resources/list', 'resources/templates/list', 'resources/read', 'resources/subscribe', 'resources/unsubscribe',
  'prompts/list', 'prompts/get', 'completion/complete',
]);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entry(item: McpCatalogItem, aggregate: boolean, key: 'name' | undefined): Json {
  return aggregate && key ? { ...item.definition, [key]: item.name } : item.definition;
}

/** A URI matches an RFC 6570 template when each `{var}` expands to a segment (`{+var}`/`{#var}`: anything, `{?q}`: a query). */
export function matchesTemplate(template: string, uri: string): boolean {
  let pattern = '^';
  let last = 0;
  for (const m of template.matchAll(/\{([+#?&/.;]?)[^}]*\}/g)) {
    pattern += template.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const op = m[1];
    pattern += op === '+' || op === '#' ? '.*' : op === '?' || op === '&' ? '(?:[?&].*)?' : '[^/?#]*';
    last = m.index + m[0].length;
  }
  pattern += `${template.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  return new RegExp(pattern).test(uri);
}

/** The client owning `uri`: a listed resource first, then a template that matches. */
export function ownerOfUri(lists: McpCatalogLists, uri: string): string | undefined {
  return lists.resources.find((r) => r.name === uri)?.client ?? lists.resourceTemplates.find((t) => matchesTemplate(t.name, uri))?.client;
}

function promptByName(lists: McpCatalogLists, name: string, aggregate: boolean): McpCatalogItem | undefined {
  return lists.prompts.find((p) => (aggregate ? p.name === name : p.upstreamName === name));
}

async function forwarded(source: CatalogSource, client: string, method: string, params: Json): Promise<CatalogAnswer> {
  const outcome = await source.forward(client, method, params);
  return 'result' in outcome ? { result: outcome.result } : { error: outcome.error };
}

/** resources/(un)subscribe with the reference count: only the first subscribe and the last unsubscribe reach the upstream. */
async function subscription(source: CatalogSource, subs: NonNullable<CatalogSource['subscriptions']>, owner: string, method: string, p: Json): Promise<CatalogAnswer> {
  const uri = p.uri as string;
  try {
    if (method === 'resources/subscribe') {
      if (!(await subs.add(owner, uri))) return { result: {} };
      const answer = await forwarded(source, owner, method, p);
      if ('error' in answer) await subs.remove(owner, uri);
      return answer;
    }
    if (!(await subs.remove(owner, uri))) return { result: {} };
  } catch {
    return { error: { code: -32603, message: 'Session store unavailable' } };
  }
  return forwarded(source, owner, method, p);
}

/** Answers one catalog method; never rejects for upstream JSON-RPC errors (they come back as they were). */
export async function dispatchCatalog(method: string, params: Json | undefined, source: CatalogSource): Promise<CatalogAnswer> {
  const aggregate = source.client === undefined;
  const lists = await source.lists();
  const p = params ?? {};
  switch (method) {
    case 'resources/list': return { result: { resources: lists.resources.map((r) => entry(r, aggregate, undefined)) } };
    case 'resources/templates/list': return { result: { resourceTemplates: lists.resourceTemplates.map((r) => entry(r, aggregate, undefined)) } };
    case 'prompts/list': return { result: { prompts: lists.prompts.map((r) => entry(r, aggregate, 'name')) } };
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe': {
      if (typeof p.uri !== 'string' || p.uri === '') return { error: { code: INVALID_PARAMS, message: "'uri' must be a non-empty string" } };
      const owner = source.client ?? ownerOfUri(lists, p.uri);
      if (owner === undefined) return { error: { code: RESOURCE_NOT_FOUND, message: `Resource not found: ${p.uri}`, data: { uri: p.uri } } };
      if (method !== 'resources/read' && source.subscriptions) return subscription(source, source.subscriptions, owner, method, p);
      return forwarded(source, owner, method, p);
    }
    case 'prompts/get': {
      if (typeof p.name !== 'string' || p.name === '') return { error: { code: INVALID_PARAMS, message: "'name' must be a non-empty string" } };
      const prompt = promptByName(lists, p.name, aggregate);
      if (!prompt) return { error: { code: INVALID_PARAMS, message: `Unknown prompt: ${p.name}` } };
      return forwarded(source, prompt.client, method, { ...p, name: prompt.upstreamName });
    }
    case 'completion/complete': {
      const ref = p.ref;
      if (!isObject(ref)) return { error: { code: INVALID_PARAMS, message: "'ref' must be an object" } };
      if (ref.type === 'ref/prompt' && typeof ref.name === 'string') {
        const prompt = promptByName(lists, ref.name, aggregate);
        if (!prompt) return { error: { code: INVALID_PARAMS, message: `Unknown prompt: ${ref.name}` } };
        return forwarded(source, prompt.client, method, { ...p, ref: { ...ref, name: prompt.upstreamName } });
      }
      if (ref.type === 'ref/resource' && typeof ref.uri === 'string') {
        const owner = source.client ?? lists.resourceTemplates.find((t) => t.name === ref.uri)?.client ?? ownerOfUri(lists, ref.uri);
        if (owner === undefined) return { error: { code: INVALID_PARAMS, message: `Unknown resource template: ${ref.uri}` } };
        return forwarded(source, owner, method, p);
      }
      return { error: { code: INVALID_PARAMS, message: "'ref' must be a ref/prompt or ref/resource" } };
    }
    default:
      return { error: { code: -32601, message: `Method not found: ${method}` } };
  }
}
