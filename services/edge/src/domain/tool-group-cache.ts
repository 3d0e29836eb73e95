import { SwitchyardError } from '@switchyard/errors';
import { toolScopeOf, type ToolScope } from '@switchyard/limits';
import type { ToolGroupDirectory, ToolGroupView } from './governance-views.js';

/** A group as `/mcp/groups/<slug>` serves it: enabled, with its tools as a scope. */
export interface ServedGroup {
  readonly slug: string;
  readonly name: string;
  readonly scope: ToolScope;
}

export interface ToolGroupCacheOptions {
  ttlMs: number;
  now?: () => number;
}

interface Entry {
  readonly group: ServedGroup | null;
  readonly expiresAt: number;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function served(group: ToolGroupView): ServedGroup | null {
  if (!group.enabled) return null;
  const list: Record<string, string[]> = {};
  for (const e of group.tools) list[e.client] = e.tools;
  return { slug: group.slug, name: group.name, scope: toolScopeOf(list) };
}

/**
 * Tool groups by slug for `/mcp/groups/<slug>`, cached like key policies: flushed on
 * every PolicyChanged that is not about one key, trusted for `ttlMs` otherwise. An
 * unknown or disabled group is cached as null (404). Governance unreachable: `unavailable`.
 */
export class ToolGroupCache {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  #epoch = 0;

  constructor(private readonly directory: ToolGroupDirectory, private readonly options: ToolGroupCacheOptions) {
    this.#now = options.now ?? Date.now;
  }

  async get(slug: string): Promise<ServedGroup | null> {
    if (!SLUG.test(slug)) return null;
    const entry = this.#entries.get(slug);
    if (entry !== undefined && entry.expiresAt > this.#now()) return entry.group;
    const epoch = this.#epoch;
    let group: ServedGroup | null;
    try {
      const found = await this.directory.find(slug);
      group = found === null ? null : served(found);
    } catch (err) {
      throw new SwitchyardError('unavailable', 'tool group lookup failed: governance unavailable', { cause: err });
    }
    if (epoch === this.#epoch && this.options.ttlMs > 0) this.#entries.set(slug, { group, expiresAt: this.#now() + this.options.ttlMs });
    return group;
  }

  flush(): void {
    this.#epoch++;
    this.#entries.clear();
  }
}
