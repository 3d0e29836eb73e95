import { SwitchyardError } from '@switchyard/errors';
import { timestampDate, type governance, type ServiceClient } from '@switchyard/proto';
import type {
  AttachmentKind, AttachmentView, CustomerAdmin, CustomerView, NewToolGroup, TeamAdmin, TeamView, ToolGroupAdmin, ToolGroupDirectory,
  ToolGroupPatch, ToolGroupView,
} from '../../domain/governance-views.js';
import type { Page } from '../../domain/types.js';

type GovernanceClient = ServiceClient<typeof governance.GovernanceService>;

const ADMIN_TIMEOUT_MS = 10_000;
/** `/mcp/groups/<slug>` reads groups on its path: a short deadline. */
const LOOKUP_TIMEOUT_MS = 2_000;
const opts = { timeoutMs: ADMIN_TIMEOUT_MS };

type Timestamp = NonNullable<governance.Customer['createdAt']>;
const time = (t: Timestamp | undefined): Date | null => (t ? timestampDate(t) : null);

function required<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined) throw new SwitchyardError('internal', `governance returned no ${what} for '${id}'`);
  return value;
}

export function toCustomerView(c: governance.Customer): CustomerView {
  return { id: c.id, name: c.name, toolGroups: [...c.toolGroups], createdAt: time(c.createdAt), updatedAt: time(c.updatedAt) };
}

export function toTeamView(t: governance.Team): TeamView {
  return { id: t.id, name: t.name, customerId: t.customerId || null, toolGroups: [...t.toolGroups], createdAt: time(t.createdAt), updatedAt: time(t.updatedAt) };
}

export function toToolGroupView(g: governance.ToolGroup): ToolGroupView {
  return {
    id: g.id, slug: g.slug, name: g.name, description: g.description, enabled: g.enabled,
    tools: g.tools.map((e) => ({ client: e.client, tools: [...e.tools] })),
    attachments: g.attachments.map((a) => ({ entityKind: a.entityKind as AttachmentKind, entityId: a.entityId })),
    createdAt: time(g.createdAt), updatedAt: time(g.updatedAt),
  };
}

export class GrpcCustomerAdmin implements CustomerAdmin {
  constructor(private readonly client: GovernanceClient) {}
  async create(name: string): Promise<CustomerView> {
    return toCustomerView(required((await this.client.createCustomer({ name }, opts)).customer, 'customer', name));
  }
  async list(limit: number | undefined, cursor: string | undefined): Promise<Page<CustomerView>> {
    const res = await this.client.listCustomers({ limit: limit ?? 0, cursor: cursor ?? '' }, opts);
    return { items: res.customers.map(toCustomerView), nextCursor: res.nextCursor };
  }
  async get(id: string): Promise<CustomerView> {
    return toCustomerView(required((await this.client.getCustomer({ id }, opts)).customer, 'customer', id));
  }
  async update(id: string, patch: { name?: string }): Promise<CustomerView> {
    return toCustomerView(required((await this.client.updateCustomer({ id, ...(patch.name !== undefined ? { name: patch.name } : {}) }, opts)).customer, 'customer', id));
  }
  async remove(id: string): Promise<void> {
    await this.client.deleteCustomer({ id }, opts);
  }
}

export class GrpcTeamAdmin implements TeamAdmin {
  constructor(private readonly client: GovernanceClient) {}
  async create(input: { name: string; customerId: string | null }): Promise<TeamView> {
    return toTeamView(required((await this.client.createTeam({ name: input.name, customerId: input.customerId ?? '' }, opts)).team, 'team', input.name));
  }
  async list(limit: number | undefined, cursor: string | undefined, customerId: string | undefined): Promise<Page<TeamView>> {
    const res = await this.client.listTeams({ limit: limit ?? 0, cursor: cursor ?? '', customerId: customerId ?? '' }, opts);
    return { items: res.teams.map(toTeamView), nextCursor: res.nextCursor };
  }
  async get(id: string): Promise<TeamView> {
    return toTeamView(required((await this.client.getTeam({ id }, opts)).team, 'team', id));
  }
  async update(id: string, patch: { name?: string; customerId?: string | null }): Promise<TeamView> {
    const res = await this.client.updateTeam({
      id,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.customerId !== undefined ? { customerId: patch.customerId ?? '' } : {}),
    }, opts);
    return toTeamView(required(res.team, 'team', id));
  }
  async remove(id: string): Promise<void> {
    await this.client.deleteTeam({ id }, opts);
  }
}

export class GrpcToolGroupAdmin implements ToolGroupAdmin, ToolGroupDirectory {
  constructor(private readonly client: GovernanceClient) {}
  async create(input: NewToolGroup): Promise<ToolGroupView> {
    const res = await this.client.createToolGroup({
      name: input.name, slug: input.slug ?? '', description: input.description, enabled: input.enabled, tools: input.tools,
    }, opts);
    return toToolGroupView(required(res.group, 'tool group', input.name));
  }
  async list(limit: number | undefined, cursor: string | undefined): Promise<Page<ToolGroupView>> {
    const res = await this.client.listToolGroups({ limit: limit ?? 0, cursor: cursor ?? '' }, opts);
    return { items: res.groups.map(toToolGroupView), nextCursor: res.nextCursor };
  }
  async get(id: string): Promise<ToolGroupView> {
    return toToolGroupView(required((await this.client.getToolGroup({ id }, opts)).group, 'tool group', id));
  }
  async update(id: string, patch: ToolGroupPatch): Promise<ToolGroupView> {
    const res = await this.client.updateToolGroup({
      id,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      tools: patch.tools ?? [],
      setTools: patch.tools !== undefined,
    }, opts);
    return toToolGroupView(required(res.group, 'tool group', id));
  }
  async remove(id: string): Promise<void> {
    await this.client.deleteToolGroup({ id }, opts);
  }
  async attach(id: string, attachment: AttachmentView): Promise<ToolGroupView> {
    return toToolGroupView(required((await this.client.attachToolGroup({ id, attachment }, opts)).group, 'tool group', id));
  }
  async detach(id: string, attachment: AttachmentView): Promise<ToolGroupView> {
    return toToolGroupView(required((await this.client.detachToolGroup({ id, attachment }, opts)).group, 'tool group', id));
  }
  /** A group by slug for `/mcp/groups/<slug>`; null when governance knows none. */
  async find(slug: string): Promise<ToolGroupView | null> {
    try {
      const res = await this.client.getToolGroup({ id: slug }, { timeoutMs: LOOKUP_TIMEOUT_MS });
      return res.group ? toToolGroupView(res.group) : null;
    } catch (err) {
      if (err instanceof SwitchyardError && err.kind === 'not_found') return null;
      throw err;
    }
  }
}
