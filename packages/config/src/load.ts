import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** A config that failed validation; the message names every bad path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly string[];
  constructor(source: string, issues: readonly string[]) {
    super(`invalid configuration (${source}):\n  ${issues.join('\n  ')}`);
    this.issues = issues;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** What a service's `load<Service>Config` takes. */
export interface ServiceConfigOptions {
  /** This service's section of switchyard.yaml (already read). */
  file?: unknown;
  env: Env;
  /** Tests and the all-in-one runner; win over everything. */
  overrides?: unknown;
}

/** Plain objects merge key by key; arrays and scalars replace. `undefined` never overrides. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Drops keys whose value is undefined, recursively, so env mappings can be written plainly. */
export function compact(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const c = compact(v);
    if (c !== undefined && !(isPlainObject(c) && Object.keys(c).length === 0)) out[k] = c;
  }
  return out;
}

/** Reads a YAML (or JSON) config file; a missing file is an error, an empty one is `{}`. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ConfigError(path, [`not valid YAML: ${(err as Error).message}`]);
  }
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) throw new ConfigError(path, ['the top level must be a mapping']);
  return data;
}

/** A service's section of the file named by `SWITCHYARD_CONFIG`, or undefined when it is unset. */
export function configFileSection(env: Env, section: string): unknown {
  const path = env.SWITCHYARD_CONFIG;
  return path ? readConfigFile(path)[section] : undefined;
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

export interface LoadOptions {
  /** The file's data (already read), or its section for this service. */
  file?: unknown;
  /** Overrides from the environment, already mapped to the schema's shape. */
  env?: unknown;
  /** Extra overrides (tests, the all-in-one runner); win over everything. */
  overrides?: unknown;
  /** Named in errors. */
  source?: string;
}

/** Defaults (in the schema) < file < environment < overrides; strict: unknown keys fail. */
export function loadConfig<S extends z.ZodType>(schema: S, options: LoadOptions = {}): z.output<S> {
  const merged = deepMerge(deepMerge(compact(options.file ?? {}), compact(options.env ?? {})), compact(options.overrides ?? {}));
  const result = schema.safeParse(merged);
  if (!result.success) throw new ConfigError(options.source ?? 'config', formatIssues(result.error));
  return result.data;
}
