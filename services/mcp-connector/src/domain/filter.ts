/**
 * Whether `tool` is on an allow-list: `"*"` allows all, an empty list allows none,
 * any other entry is an exact upstream tool name.
 */
export function isToolAllowed(allow: readonly string[], tool: string): boolean {
  return allow.includes('*') || allow.includes(tool);
}
