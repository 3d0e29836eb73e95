/**
 * Model allow-lists (a virtual key's `allowed_models`). A pattern is `*` (every model),
 * an exact `provider/model`, or either with `*` wildcards anywhere (`openai/*`,
 * `*gpt-4o*`, `anthropic/claude-*-latest`). `*` matches any run of characters, `/`
 * included. Matching is case-sensitive. An empty list allows nothing.
 *
 * Governance validates patterns when a key is written; the edge compiles a key's list
 * once, when its policy enters the cache, so that the per-request check is a set lookup
 * or a few `indexOf` calls.
 */

/** Longest accepted pattern; model ids are short. */
export const MAX_PATTERN_LENGTH = 256;
/** Most patterns on one key. */
export const MAX_PATTERNS = 256;

// Printable ASCII without whitespace: model ids never contain spaces or control characters.
const PATTERN_CHARS = /^[\x21-\x7e]+$/;

/** Why `pattern` is not a valid model pattern, or undefined when it is. */
export function modelPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  if (!PATTERN_CHARS.test(pattern)) return 'must be printable ASCII without whitespace';
  if (pattern === '*') return undefined;
  const slash = pattern.indexOf('/');
  if (slash === -1) {
    // Without a slash only a wildcard can ever match a `provider/model` id.
    return pattern.includes('*') ? undefined : 'must be "*" or "provider/model" (wildcards allowed)';
  }
  if (slash === 0) return 'the provider before "/" must not be empty';
  if (slash === pattern.length - 1) return 'the model after "/" must not be empty (use "provider/*" for every model)';
  return undefined;
}

export function isValidModelPattern(pattern: string): boolean {
  return modelPatternProblem(pattern) === undefined;
}

/**
 * Whether a glob, split at its `*`s, matches `s`: anchored first and last parts, then
 * each middle part at its leftmost place (greedy is exact for literal parts), so the
 * cost stays linear in practice and no regular expression is ever built.
 */
export function globMatch(parts: readonly string[], s: string): boolean {
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (parts.length === 1) return s === first;
  if (s.length < first.length + last.length) return false;
  if (!s.startsWith(first) || !s.endsWith(last)) return false;
  let at = first.length;
  const end = s.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part.length === 0) continue;
    const found = s.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** Whether one pattern matches `model`. */
export function matchesModelPattern(pattern: string, model: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === model;
  return globMatch(pattern.split('*'), model);
}

/**
 * Whether any pattern allows `model` (`provider/model`), uncompiled. An empty list allows
 * nothing, and an empty model name is never allowed (unlike a compiled matcher, which
 * trusts its caller to have checked the name).
 */
export function modelAllowed(patterns: readonly string[], model: string): boolean {
  if (model.length === 0) return false;
  for (const pattern of patterns) if (matchesModelPattern(pattern, model)) return true;
  return false;
}

/** A compiled allow-list: true when the model is allowed. */
export type ModelMatcher = (model: string) => boolean;

export const ALLOW_ALL_MODELS: ModelMatcher = () => true;
export const ALLOW_NO_MODELS: ModelMatcher = () => false;

/** Compiles an allow-list once: exact names into a set, globs pre-split at their `*`s. */
export function compileModelPatterns(patterns: readonly string[]): ModelMatcher {
  if (patterns.length === 0) return ALLOW_NO_MODELS;
  if (patterns.includes('*')) return ALLOW_ALL_MODELS;
  const exact = new Set<string>();
  const globs: string[][] = [];
  for (const p of patterns) {
    if (p.includes('*')) globs.push(p.split('*'));
    else exact.add(p);
  }
  if (globs.length === 0) return (model) => exact.has(model);
  return (model) => {
    if (exact.has(model)) return true;
    for (const g of globs) if (globMatch(g, model)) return true;
    return false;
  };
}
