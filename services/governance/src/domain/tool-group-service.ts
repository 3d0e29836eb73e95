import { SwitchyardError } from '@switchyard/errors';
import { pageQuery, toPage, wholeMillis, type EntityServiceDeps, type Page } from './customer-service.js';
import type { NewToolGroupInput, ToolGroupEntry, ToolGroupRecord } from './entities.js';
import { validateAttachment, validateDescription, validateGroupTools, validateSlug } from './entity-validation.js';
import { newEntityId } from './ids.js';
import type { ToolGroupStore } from './ports.js';
import { validateId, validateName } from './validation.js';

function notFound(id: string): SwitchyardError {
  return new SwitchyardError('not_found', `no tool group "${id}"`, { param: 'id', code: 'tool_group_not_found' });
}

export interface ToolGroupUpdate {
  name?: string | undefined;
  description?: string | undefined;
  enabled?: boolean | undefined;
  /** Undefined leaves the tools. */
  tools?: ToolGroupEntry[] | undefined;
}

/**
 * Tool groups: named sets of tools of one or more MCP clients, attached to keys,
 * teams or customers. Every committed change publishes PolicyChanged `tool_group`
 * (edge flushes its policy cache: a group reaches keys through teams and customers).
 */
export class ToolGroupService {
  private readonly now: () => Date;

  constructor(private readonly deps: EntityServiceDeps<ToolGroupStore>) {
    this.now = deps.now ?? (() => new Date());
  }

  async create(input: NewToolGroupInput): Promise<ToolGroupRecord> {
    const now = wholeMillis(this.now());
    const name = validateName(input.name);
    const group: ToolGroupRecord = {
      id: newEntityId('tg', now),
      slug: validateSlug(input.slug, name),
      name,
      description: validateDescription(input.description),
      enabled: input.enabled,
      tools: validateGroupTools(input.tools),
      attachments: [],
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.insert(group);
    this.deps.publisher.publish({ kind: 'tool_group', id: group.id });
    return group;
  }

  async list(limit: number, cursor: string): Promise<Page<ToolGroupRecord>> {
    const q = pageQuery(limit, cursor);
    return toPage(await this.deps.store.list({ limit: q.limit, after: q.after }), q.size);
  }

  /** By id or slug. */
  async get(idOrSlug: string): Promise<ToolGroupRecord> {
    const group = await this.deps.store.find(validateId(idOrSlug));
    if (!group) throw notFound(idOrSlug);
    return group;
  }

  async update(idOrSlug: string, update: ToolGroupUpdate): Promise<ToolGroupRecord> {
    const patch = {
      ...(update.name !== undefined ? { name: validateName(update.name) } : {}),
      ...(update.description !== undefined ? { description: validateDescription(update.description) } : {}),
      ...(update.enabled !== undefined ? { enabled: update.enabled } : {}),
      ...(update.tools !== undefined ? { tools: validateGroupTools(update.tools) } : {}),
    };
    const current = await this.get(idOrSlug);
    const group = await this.deps.store.update(current.id, patch, wholeMillis(this.now()));
    if (!group) throw notFound(idOrSlug);
    this.deps.publisher.publish({ kind: 'tool_group', id: group.id });
    return group;
  }

  async delete(idOrSlug: string): Promise<void> {
    const current = await this.get(idOrSlug);
    if (!(await this.deps.store.delete(current.id))) throw notFound(idOrSlug);
    this.deps.publisher.publish({ kind: 'tool_group', id: current.id });
  }

  async attach(idOrSlug: string, raw: { entityKind: string; entityId: string } | undefined): Promise<ToolGroupRecord> {
    const attachment = validateAttachment(raw);
    const group = await this.get(idOrSlug);
    if (!(await this.deps.store.entityExists(attachment))) {
      throw new SwitchyardError('invalid_argument', `no ${attachment.entityKind} with id "${attachment.entityId}"`, { param: 'attachment.entity_id', code: `${attachment.entityKind}_not_found` });
    }
    if (await this.deps.store.attach(group.id, attachment, wholeMillis(this.now()))) {
      this.deps.publisher.publish({ kind: 'tool_group', id: group.id });
    }
    return this.get(group.id);
  }

  async detach(idOrSlug: string, raw: { entityKind: string; entityId: string } | undefined): Promise<ToolGroupRecord> {
    const attachment = validateAttachment(raw);
    const group = await this.get(idOrSlug);
    if (!(await this.deps.store.detach(group.id, attachment))) {
      throw new SwitchyardError('not_found', `tool group "${group.slug}" is not attached to ${attachment.entityKind} "${attachment.entityId}"`, { param: 'attachment', code: 'attachment_not_found' });
    }
    this.deps.publisher.publish({ kind: 'tool_group', id: group.id });
    return this.get(group.id);
  }
}
