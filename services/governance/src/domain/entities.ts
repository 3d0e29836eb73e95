import type { EntityKind } from '@switchyard/limits';
import type { ToolAllowList } from '@switchyard/limits';

export type { EntityKind, ToolAllowList };

export interface CustomerRecord {
  id: string;
  name: string;
  /** Slugs of the tool groups attached to the customer itself. */
  toolGroups: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface TeamRecord {
  id: string;
  name: string;
  /** Undefined: the team belongs to no customer. */
  customerId: string | undefined;
  toolGroups: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** Tools of one MCP client in a group (`*`: all of them). */
export interface ToolGroupEntry {
  client: string;
  tools: string[];
}

export interface Attachment {
  entityKind: EntityKind;
  entityId: string;
}

export interface ToolGroupRecord {
  id: string;
  /** Unique and immutable. */
  slug: string;
  name: string;
  description: string;
  enabled: boolean;
  tools: ToolGroupEntry[];
  attachments: Attachment[];
  createdAt: Date;
  updatedAt: Date;
}

export interface NewTeamInput {
  name: string;
  customerId: string | undefined;
}

export interface TeamPatch {
  name?: string;
  /** null: no customer. */
  customerId?: string | null;
}

export interface NewToolGroupInput {
  name: string;
  /** Empty: derived from the name. */
  slug: string;
  description: string;
  enabled: boolean;
  tools: ToolGroupEntry[];
}

export interface ToolGroupPatch {
  name?: string;
  description?: string;
  enabled?: boolean;
  tools?: ToolGroupEntry[];
}

/** A group as policy resolution needs it: its slug and its tools as an allow-list. */
export interface ReachableGroup {
  slug: string;
  tools: ToolAllowList;
}

/** Where a key sits: its team and customer (a team's customer counts), and the enabled groups it reaches. */
export interface KeyChain {
  teamId: string | undefined;
  customerId: string | undefined;
  groups: ReachableGroup[];
}

/** A group's entries as one allow-list (entries name distinct clients). */
export function entriesAllowList(entries: readonly ToolGroupEntry[]): ToolAllowList {
  const out: Record<string, string[]> = {};
  for (const e of entries) out[e.client] = [...e.tools];
  return out;
}
