import type { UnaryHandler, governance } from '@switchyard/proto';
import type { ToolGroupService } from '../../domain/index.js';
import { fromWireEntries, toWireToolGroup } from './wire.js';

type S = typeof governance;

/** The tool-group RPCs (one handler each). */
export function toolGroupHandlers(groups: ToolGroupService): {
  createToolGroup: UnaryHandler<S['CreateToolGroupRequestSchema'], S['CreateToolGroupResponseSchema']>;
  listToolGroups: UnaryHandler<S['ListToolGroupsRequestSchema'], S['ListToolGroupsResponseSchema']>;
  getToolGroup: UnaryHandler<S['GetToolGroupRequestSchema'], S['GetToolGroupResponseSchema']>;
  updateToolGroup: UnaryHandler<S['UpdateToolGroupRequestSchema'], S['UpdateToolGroupResponseSchema']>;
  deleteToolGroup: UnaryHandler<S['DeleteToolGroupRequestSchema'], S['DeleteToolGroupResponseSchema']>;
  attachToolGroup: UnaryHandler<S['AttachToolGroupRequestSchema'], S['AttachToolGroupResponseSchema']>;
  detachToolGroup: UnaryHandler<S['DetachToolGroupRequestSchema'], S['DetachToolGroupResponseSchema']>;
} {
  return {
    createToolGroup: async (r) => ({
      group: toWireToolGroup(await groups.create({ name: r.name, slug: r.slug, description: r.description, enabled: r.enabled, tools: fromWireEntries(r.tools) })),
    }),
    listToolGroups: async (r) => {
      const page = await groups.list(r.limit, r.cursor);
      return { groups: page.items.map(toWireToolGroup), nextCursor: page.nextCursor };
    },
    getToolGroup: async (r) => ({ group: toWireToolGroup(await groups.get(r.id)) }),
    updateToolGroup: async (r) => ({
      group: toWireToolGroup(await groups.update(r.id, {
        name: r.name, description: r.description, enabled: r.enabled, tools: r.setTools ? fromWireEntries(r.tools) : undefined,
      })),
    }),
    deleteToolGroup: async (r) => {
      await groups.delete(r.id);
      return {};
    },
    attachToolGroup: async (r) => ({ group: toWireToolGroup(await groups.attach(r.id, r.attachment)) }),
    detachToolGroup: async (r) => ({ group: toWireToolGroup(await groups.detach(r.id, r.attachment)) }),
  };
}
