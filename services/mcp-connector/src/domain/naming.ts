import { createHash } from 'node:crypto';

export const MAX_TOOL_NAME = 64;
const SEPARATOR = '-';
const HASH_LENGTH = 8;

function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

function shortHash(client: string, tool: string): string {
  return createHash('sha256').update(client).update('\0').update(tool).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * The name a model sees for `tool` of `client`: `<client>-<tool>`, at most 64 characters
 * of [A-Za-z0-9_-]. It depends only on the client and tool names, so adding or removing
 * other clients never renames a tool. When the plain form had to change (invalid
 * characters replaced) or is too long, a hash of the exact pair is appended, so two
 * upstream names that sanitise alike still get different exposed names. A client name
 * with a hyphen also gets the hash: `a-b` + `c` and `a` + `b-c` would otherwise both be
 * `a-b-c`, and the name must not depend on which other clients exist.
 */
export function exposedToolName(client: string, tool: string): string {
  const plain = `${client}${SEPARATOR}${tool}`;
  const clean = sanitize(plain);
  if (clean === plain && clean.length <= MAX_TOOL_NAME && !client.includes(SEPARATOR)) return clean;
  const suffix = `${SEPARATOR}${shortHash(client, tool)}`;
  return `${clean.slice(0, MAX_TOOL_NAME - suffix.length)}${suffix}`;
}

export interface ToolRef {
  client: string;
  tool: string;
}

/** An exact map from exposed names back to (client, upstream tool) for the current catalog. */
export class ToolNameMap {
  readonly #byExposed = new Map<string, ToolRef>();

  /**
   * Adds a pair and returns its exposed name, or undefined when another pair already
   * holds that name (only a 32-bit hash collision can cause it); the first one keeps it.
   */
  add(client: string, tool: string): string | undefined {
    const name = exposedToolName(client, tool);
    const prior = this.#byExposed.get(name);
    if (prior && (prior.client !== client || prior.tool !== tool)) return undefined;
    this.#byExposed.set(name, { client, tool });
    return name;
  }

  resolve(exposed: string): ToolRef | undefined {
    return this.#byExposed.get(exposed);
  }

  get size(): number {
    return this.#byExposed.size;
  }
}
