import { z } from 'zod';
import { ConfigError, configFileSection, envSecret, fragments, loadConfig, type Env, type ServiceConfigOptions } from '@switchyard/config';

const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]*$/;

const key = z
  .object({
    /** Named in logs, metrics and the route outcome; never the secret itself. */
    name: z.string().min(1),
    /** The secret in clear (prefer `value_env`). */
    value: z.string().min(1).optional(),
    /** The environment variable holding the secret (`NAME_FILE` works too). */
    value_env: z.string().min(1).optional(),
    weight: z.number().positive().default(1),
    /** Only these models may use this key; unset: every model. */
    models: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .refine((k) => (k.value === undefined) !== (k.value_env === undefined), {
    message: 'exactly one of value or value_env is required',
  });

const provider = z
  .object({
    id: z.string().regex(PROVIDER_ID, 'lowercase letters, digits, - and _ (no slash)'),
    kind: z.enum(['openai', 'anthropic']),
    /** e.g. https://api.openai.com/v1 or https://api.anthropic.com */
    base_url: fragments.url,
    keys: z.array(key).min(1, 'a provider needs at least one key'),
    /** Extra headers on every upstream request. */
    headers: z.record(z.string(), z.string()).optional(),
    /** Per attempt; for streams, until the first chunk and then between chunks. */
    timeout_ms: z.number().int().positive().default(120_000),
    max_retries: z.number().int().min(0).max(10).default(2),
    retry_backoff_initial_ms: z.number().int().min(0).default(500),
    retry_backoff_max_ms: z.number().int().min(0).default(5_000),
    /** Keep-alive connections per upstream origin. */
    connections: z.number().int().positive().default(128),
    /** Advertised by ListModels. */
    models: z.array(z.string().min(1)).optional(),
    /** `anthropic-version` header (anthropic only). */
    anthropic_version: z.string().min(1).optional(),
  })
  .strict()
  .refine((p) => p.retry_backoff_max_ms >= p.retry_backoff_initial_ms, {
    message: 'retry_backoff_max_ms must be >= retry_backoff_initial_ms',
    path: ['retry_backoff_max_ms'],
  })
  .refine((p) => p.kind === 'anthropic' || p.anthropic_version === undefined, {
    message: 'anthropic_version applies to anthropic providers only',
    path: ['anthropic_version'],
  });

export const llmProxyConfigSchema = z
  .object({
    grpc: fragments.grpcEndpoint(50051),
    /** The ops HTTP server (/healthz, /readyz, /metrics); port -1 disables it (all-in-one). */
    ops: fragments.opsEndpoint(),
    providers: z.array(provider).default([]),
    /** Model (`provider/model`, or a pattern with `*`) → ordered `provider/model` fallback targets. */
    fallbacks: z.record(z.string().min(1), z.array(z.string().min(1))).default({}),
    /** How long shutdown waits for in-flight calls (streams included) before cancelling them. */
    shutdown_grace_ms: z.number().int().min(0).default(25_000),
    observability: fragments.observability.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const ids = new Set<string>();
    config.providers.forEach((p, i) => {
      if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: ['providers', i, 'id'], message: `duplicate provider id "${p.id}"` });
      ids.add(p.id);
      const names = new Set<string>();
      p.keys.forEach((k, j) => {
        if (names.has(k.name)) ctx.addIssue({ code: 'custom', path: ['providers', i, 'keys', j, 'name'], message: `duplicate key name "${k.name}"` });
        names.add(k.name);
      });
    });
    for (const [pattern, targets] of Object.entries(config.fallbacks)) {
      targets.forEach((t, j) => {
        const slash = t.indexOf('/');
        if (slash <= 0 || slash === t.length - 1 || !ids.has(t.slice(0, slash))) {
          ctx.addIssue({ code: 'custom', path: ['fallbacks', pattern, j], message: `"${t}" is not provider/model with a configured provider` });
        }
      });
    }
  });

export type LlmProxyConfig = z.output<typeof llmProxyConfigSchema>;
export type ProviderConfig = LlmProxyConfig['providers'][number];
export type ProviderKeyConfig = ProviderConfig['keys'][number];

/** `file` is the `llm_proxy` section of switchyard.yaml. */
export type LoadLlmProxyConfigOptions = ServiceConfigOptions;

type RawProvider = Record<string, unknown>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Providers configured by the well-known variables alone (OPENAI_API_KEY, ANTHROPIC_API_KEY). */
function envProviders(env: Env): RawProvider[] {
  const out: RawProvider[] = [];
  const openai = envSecret(env, 'OPENAI_API_KEY');
  if (openai !== undefined || env.OPENAI_BASE_URL) {
    out.push({ id: 'openai', kind: 'openai', base_url: env.OPENAI_BASE_URL || 'https://api.openai.com/v1', keys: openai === undefined ? [] : [{ name: 'env', value: openai }] });
  }
  const anthropic = envSecret(env, 'ANTHROPIC_API_KEY');
  if (anthropic !== undefined || env.ANTHROPIC_BASE_URL) {
    out.push({ id: 'anthropic', kind: 'anthropic', base_url: env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com', keys: anthropic === undefined ? [] : [{ name: 'env', value: anthropic }] });
  }
  return out;
}

/**
 * File providers, with env providers merged in by id: the env base URL wins (environment
 * beats file), and the env key joins the pool only if the file's provider has no keys.
 * A base URL variable alone does not create a provider.
 */
function mergeProviders(fileProviders: unknown, env: Env): unknown {
  const fromEnv = envProviders(env);
  if (fromEnv.length === 0) return fileProviders;
  if (fileProviders !== undefined && !Array.isArray(fileProviders)) return fileProviders; // the schema reports it
  const merged: unknown[] = [...(fileProviders ?? [])];
  for (const p of fromEnv) {
    const index = merged.findIndex((f) => isRecord(f) && f.id === p.id);
    const existing = merged[index];
    if (isRecord(existing)) {
      const keys = Array.isArray(existing.keys) && existing.keys.length > 0 ? existing.keys : p.keys;
      const baseUrl = (p.id === 'openai' ? env.OPENAI_BASE_URL : env.ANTHROPIC_BASE_URL) || existing.base_url;
      merged[index] = { ...existing, base_url: baseUrl, keys };
    } else if (Array.isArray(p.keys) && p.keys.length > 0) {
      merged.push(p);
    }
  }
  return merged;
}

function envOverrides(env: Env): unknown {
  return {
    ...fragments.serviceEnv(env, 'LLM_PROXY'),
    observability: fragments.observabilityEnv(env),
  };
}

/** Replaces every `value_env` with the secret it names; a missing variable fails at boot. */
function resolveKeys(config: LlmProxyConfig, env: Env): LlmProxyConfig {
  const issues: string[] = [];
  const providers = config.providers.map((p, i) => ({
    ...p,
    keys: p.keys.map((k, j) => {
      if (k.value_env === undefined) return k;
      const value = envSecret(env, k.value_env);
      if (value === undefined) issues.push(`providers.${i}.keys.${j}.value_env: ${k.value_env} (or ${k.value_env}_FILE) is not set`);
      return { name: k.name, value: value ?? '', weight: k.weight, ...(k.models ? { models: k.models } : {}) };
    }),
  }));
  if (issues.length > 0) throw new ConfigError('llm_proxy', issues);
  return { ...config, providers };
}

/** Defaults < the file's `llm_proxy` section < environment < overrides; strict. */
export function loadLlmProxyConfig(options: LoadLlmProxyConfigOptions): LlmProxyConfig {
  const file = isRecord(options.file) ? { ...options.file } : options.file;
  const providers = mergeProviders(isRecord(file) ? file.providers : undefined, options.env);
  const withProviders = isRecord(file) || file === undefined ? { ...(file ?? {}), ...(providers === undefined ? {} : { providers }) } : file;
  const config = loadConfig(llmProxyConfigSchema, {
    file: withProviders,
    env: envOverrides(options.env),
    overrides: options.overrides,
    source: 'llm_proxy',
  });
  return resolveKeys(config, options.env);
}

/** For main.ts: the `llm_proxy` section of the file named by SWITCHYARD_CONFIG (if any), plus the environment. */
export function loadLlmProxyConfigFromEnv(env: Env = process.env): LlmProxyConfig {
  return loadLlmProxyConfig({ file: configFileSection(env, 'llm_proxy'), env });
}
