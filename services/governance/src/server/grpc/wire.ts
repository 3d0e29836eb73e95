import { create, governance, timestampDate, timestampFromDate } from '@switchyard/proto';
import type { ToolScope } from '@switchyard/limits';
import type { CustomerRecord, KeyRecord, ResolvedPolicy, TeamRecord, ToolGroupEntry, ToolGroupRecord } from '../../domain/index.js';

type Timestamp = NonNullable<governance.VirtualKey['expiresAt']>;

function toWireClients(list: Readonly<Record<string, readonly string[]>> | ReadonlyMap<string, readonly string[]>): Record<string, governance.ToolNames> {
  const out: Record<string, governance.ToolNames> = {};
  const entries = list instanceof Map ? [...list.entries()] : Object.entries(list);
  for (const [client, tools] of entries) out[client] = create(governance.ToolNamesSchema, { tools: [...tools] });
  return out;
}

/** A wire allow-list as a plain record; undefined when unset. */
export function fromWireAllowList(list: governance.McpToolAllowList | undefined): Record<string, string[]> | undefined {
  if (list === undefined) return undefined;
  const out: Record<string, string[]> = {};
  for (const [client, names] of Object.entries(list.clients)) out[client] = [...names.tools];
  return out;
}

/** A key as the wire shows it: never the hash, never the secret. */
export function toWireKey(key: KeyRecord): governance.VirtualKey {
  return create(governance.VirtualKeySchema, {
    id: key.id,
    name: key.name,
    enabled: key.enabled,
    ...(key.expiresAt ? { expiresAt: timestampFromDate(key.expiresAt) } : {}),
    allowedModels: key.allowedModels,
    keyPrefix: key.keyPrefix,
    createdAt: timestampFromDate(key.createdAt),
    updatedAt: timestampFromDate(key.updatedAt),
    teamId: key.teamId ?? '',
    customerId: key.customerId ?? '',
    allowedProviders: key.allowedProviders,
    ...(key.mcpTools ? { mcpTools: { clients: toWireClients(key.mcpTools) } } : {}),
    toolGroups: key.toolGroups,
  });
}

export function toWireScope(scope: ToolScope): governance.ToolScope {
  return create(governance.ToolScopeSchema, scope.unrestricted ? { unrestricted: true } : { unrestricted: false, clients: toWireClients(scope.tools) });
}

export function toWirePolicy(policy: ResolvedPolicy): governance.ResolvedPolicy {
  return create(governance.ResolvedPolicySchema, {
    teamId: policy.teamId ?? '',
    customerId: policy.customerId ?? '',
    allowedProviders: policy.allowedProviders,
    toolScope: toWireScope(policy.toolScope),
    groupSlugs: policy.groupSlugs,
  });
}

export function toWireCustomer(c: CustomerRecord): governance.Customer {
  return create(governance.CustomerSchema, {
    id: c.id, name: c.name, toolGroups: c.toolGroups, createdAt: timestampFromDate(c.createdAt), updatedAt: timestampFromDate(c.updatedAt),
  });
}

export function toWireTeam(t: TeamRecord): governance.Team {
  return create(governance.TeamSchema, {
    id: t.id, name: t.name, customerId: t.customerId ?? '', toolGroups: t.toolGroups,
    createdAt: timestampFromDate(t.createdAt), updatedAt: timestampFromDate(t.updatedAt),
  });
}

export function toWireToolGroup(g: ToolGroupRecord): governance.ToolGroup {
  return create(governance.ToolGroupSchema, {
    id: g.id, slug: g.slug, name: g.name, description: g.description, enabled: g.enabled,
    tools: g.tools.map((e) => ({ client: e.client, tools: e.tools })),
    attachments: g.attachments.map((a) => ({ entityKind: a.entityKind, entityId: a.entityId })),
    createdAt: timestampFromDate(g.createdAt), updatedAt: timestampFromDate(g.updatedAt),
  });
}

export function fromWireEntries(entries: readonly governance.ToolGroupEntry[]): ToolGroupEntry[] {
  return entries.map((e) => ({ client: e.client, tools: [...e.tools] }));
}

export function fromWireTime(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp === undefined ? undefined : timestampDate(timestamp);
}
