import type { ToolScope } from './types.js';

/**
 * Helpers over `ToolScope` shared by governance (which resolves a key's scope) and
 * edge (which enforces it). An allow-list maps an MCP client name to tool names of
 * that client as its upstream server names them; `*` stands for every tool of it.
 */

/** Client name -> tool names (`*`: all). A client missing from it is denied. */
export type ToolAllowList = Readonly<Record<string, readonly string[]>>;

export const UNRESTRICTED_SCOPE: ToolScope = Object.freeze({ unrestricted: true as const });

/** The wildcard that stands for every tool of a client. */
export const ALL_TOOLS = '*';

/**
 * The scope of a key: its own allow-list ∪ every allow-list reached through its
 * enabled tool groups (key, team, customer), without duplicates, in first-seen order;
 * a client whose list contains `*` keeps only `['*']`. With no own allow-list and no
 * group at all, the scope is unrestricted (the client configs stay the ceiling).
 */
export function resolveToolScope(own: ToolAllowList | undefined, groups: readonly ToolAllowList[]): ToolScope {
  if (own === undefined && groups.length === 0) return UNRESTRICTED_SCOPE;
  const merged = new Map<string, string[]>();
  for (const list of own === undefined ? groups : [own, ...groups]) {
    for (const [client, tools] of Object.entries(list)) {
      let into = merged.get(client);
      if (into === undefined) merged.set(client, (into = []));
      if (into.length === 1 && into[0] === ALL_TOOLS) continue;
      if (tools.includes(ALL_TOOLS)) {
        into.length = 0;
        into.push(ALL_TOOLS);
        continue;
      }
      for (const tool of tools) if (!into.includes(tool)) into.push(tool);
    }
  }
  return { unrestricted: false, tools: merged };
}

/** Whether `scope` lets the caller see and run `tool` (the upstream name) of `client`. */
export function toolInScope(scope: ToolScope, client: string, tool: string): boolean {
  if (scope.unrestricted) return true;
  const tools = scope.tools.get(client);
  if (tools === undefined) return false;
  for (const t of tools) if (t === ALL_TOOLS || t === tool) return true;
  return false;
}

/** The scope as plain JSON: `null` when unrestricted, else `{client: [tools]}`. */
export function toolScopeJson(scope: ToolScope): Record<string, string[]> | null {
  if (scope.unrestricted) return null;
  const out: Record<string, string[]> = {};
  for (const [client, tools] of scope.tools) out[client] = [...tools];
  return out;
}

/** A restricted scope from an allow-list (an empty one allows nothing). */
export function toolScopeOf(list: ToolAllowList): ToolScope {
  const tools = new Map<string, readonly string[]>();
  for (const [client, names] of Object.entries(list)) tools.set(client, [...names]);
  return { unrestricted: false, tools };
}

/** Tools in both scopes (an unrestricted side changes nothing). */
export function intersectToolScopes(a: ToolScope, b: ToolScope): ToolScope {
  if (a.unrestricted) return b;
  if (b.unrestricted) return a;
  const tools = new Map<string, readonly string[]>();
  for (const [client, left] of a.tools) {
    const right = b.tools.get(client);
    if (right === undefined) continue;
    if (left.includes(ALL_TOOLS)) tools.set(client, [...right]);
    else if (right.includes(ALL_TOOLS)) tools.set(client, [...left]);
    else tools.set(client, left.filter((t) => right.includes(t)));
  }
  return { unrestricted: false, tools };
}
