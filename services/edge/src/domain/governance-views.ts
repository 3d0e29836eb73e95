import type { Page } from './types.js';

/** Customers, teams and tool groups as the admin API shows them (mapped from governance's wire types). */
export interface CustomerView {
  id: string;
  name: string;
  toolGroups: string[];
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface TeamView {
  id: string;
  name: string;
  customerId: string | null;
  toolGroups: string[];
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface ToolGroupEntryView {
  client: string;
  tools: string[];
}

export type AttachmentKind = 'key' | 'team' | 'customer';

export interface AttachmentView {
  entityKind: AttachmentKind;
  entityId: string;
}

export interface ToolGroupView {
  id: string;
  slug: string;
  name: string;
  description: string;
  enabled: boolean;
  tools: ToolGroupEntryView[];
  attachments: AttachmentView[];
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface NewToolGroup {
  name: string;
  slug: string | undefined;
  description: string;
  enabled: boolean;
  tools: ToolGroupEntryView[];
}

export interface ToolGroupPatch {
  name?: string;
  description?: string;
  enabled?: boolean;
  tools?: ToolGroupEntryView[];
}

/** Customer administration (governance). */
export interface CustomerAdmin {
  create(name: string): Promise<CustomerView>;
  list(limit: number | undefined, cursor: string | undefined): Promise<Page<CustomerView>>;
  get(id: string): Promise<CustomerView>;
  update(id: string, patch: { name?: string }): Promise<CustomerView>;
  remove(id: string): Promise<void>;
}

/** Team administration (governance). */
export interface TeamAdmin {
  create(input: { name: string; customerId: string | null }): Promise<TeamView>;
  list(limit: number | undefined, cursor: string | undefined, customerId: string | undefined): Promise<Page<TeamView>>;
  get(id: string): Promise<TeamView>;
  /** `customerId: null` moves the team out of its customer. */
  update(id: string, patch: { name?: string; customerId?: string | null }): Promise<TeamView>;
  remove(id: string): Promise<void>;
}

/** Tool-group administration (governance); groups are named by id or slug. */
export interface ToolGroupAdmin {
  create(input: NewToolGroup): Promise<ToolGroupView>;
  list(limit: number | undefined, cursor: string | undefined): Promise<Page<ToolGroupView>>;
  get(idOrSlug: string): Promise<ToolGroupView>;
  update(idOrSlug: string, patch: ToolGroupPatch): Promise<ToolGroupView>;
  remove(idOrSlug: string): Promise<void>;
  attach(idOrSlug: string, attachment: AttachmentView): Promise<ToolGroupView>;
  detach(idOrSlug: string, attachment: AttachmentView): Promise<ToolGroupView>;
}

/** What `/mcp/groups/<slug>` needs: a group by slug, or null when there is none. */
export interface ToolGroupDirectory {
  find(slug: string): Promise<ToolGroupView | null>;
}
