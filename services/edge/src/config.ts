import { z } from 'zod';
import { envBool, envInt, envSecret, fragments, loadConfig, type Env } from '@switchyard/config';

const MiB = 1024 * 1024;

export const edgeConfigSchema = z
  .object({
    host: fragments.host.default('127.0.0.1'),
    port: fragments.port.default(8080),
    /**
     * `optional`: requests without a key are accepted only while no virtual key exists
     * at all; `required`: every /v1 request needs a valid key.
     */
    auth: z.enum(['optional', 'required']).default('optional'),
    /** Bearer token for /api/*; unset: the admin API answers 401 to everyone. */
    admin_token: z.string().min(1).optional(),
    body_limit_bytes: z.number().int().positive().max(256 * MiB).default(4 * MiB),
    /** The whole upstream call, passed to llm-proxy and used as the gRPC deadline. */
    upstream_timeout_ms: z.number().int().positive().default(120_000),
    llm_proxy_addr: fragments.grpcAddress.default('127.0.0.1:50051'),
    governance_addr: fragments.grpcAddress.default('127.0.0.1:50052'),
    telemetry_addr: fragments.grpcAddress.default('127.0.0.1:50053'),
    mcp_connector_addr: fragments.grpcAddress.default('127.0.0.1:50054'),
    /** MCP tools from mcp-connector: injected into chat requests, executed on /v1/mcp/tool/execute. */
    mcp: z
      .object({
        /** Off: no catalog is fetched, nothing is injected, the execute route answers 404. */
        enabled: z.boolean().default(true),
        /** How long a fetched catalog is served; `catalog.changed` on the bus refreshes it sooner. */
        catalog_ttl_ms: z.number().int().positive().default(30_000),
        /** Per tool call, passed to mcp-connector (and used, plus a margin, as the gRPC deadline). */
        tool_timeout_ms: z.number().int().positive().default(60_000),
        /** Agent mode: at most this many rounds of auto-executed tool calls per chat request. */
        agent_max_depth: z.number().int().min(1).max(50).default(10),
        /**
         * HMAC key for the session ids `/mcp` issues. Every replica that should accept
         * the others' sessions needs the same one; unset: a random key per process.
         */
        session_secret: z.string().min(32).optional(),
        /**
         * A legacy `/mcp` session untouched this long expires (Redis PEXPIRE, refreshed by
         * every request). Sessions live in Redis when `backends.redis_url` is set, else in
         * this process's memory.
         */
        session_idle_ttl_ms: z.number().int().positive().default(3_600_000),
        /**
         * MRTR (2026-07-28 callers): how long an upstream tool call that asked for input
         * (sampling, elicitation, roots) waits for the caller's retry with
         * `inputResponses` before it is aborted.
         */
        mrtr_wait_ms: z.number().int().positive().default(60_000),
        /** Browser origins (`scheme://host[:port]`) allowed on `/mcp` besides localhost. */
        allowed_origins: z.array(z.string().url()).default([]),
      })
      .strict()
      .prefault({}),
    /** EdgeAdminService (internal); port -1 disables it. */
    grpc: z
      .object({ host: fragments.host.default('127.0.0.1'), port: fragments.optionalPort.default(50050) })
      .strict()
      .prefault({}),
    policy_cache: z
      .object({
        ttl_ms: z.number().int().min(0).default(60_000),
        /** How long an unknown key hash is remembered as unknown. */
        negative_ttl_ms: z.number().int().min(0).default(5_000),
        max_entries: z.number().int().positive().default(100_000),
        /** How often the key count (open or closed gateway) is refreshed from governance. */
        auth_state_refresh_ms: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        /** Events waiting for the bus; beyond this the oldest are dropped and counted. */
        max_buffered: z.number().int().positive().default(10_000),
        /** Put request and response bodies into audit events. */
        log_content: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Budgets and rate limits: where the counters live and how requests are estimated. */
    limits: z
      .object({
        /** Prefix of the counter keys in Redis (`backends.redis_url`; unset: in-memory counters, one process only). */
        redis_key_prefix: z.string().default('switchyard:limits:'),
        /** Output tokens reserved for a chat request that sets neither max_completion_tokens nor max_tokens. */
        default_max_tokens: z.number().int().positive().default(4096),
        /** Prompt tokens are estimated as the body size divided by this (an over-estimate for text). */
        prompt_bytes_per_token: z.number().positive().default(4),
        /** Usage events waiting for the bus; beyond this the oldest are dropped and counted. */
        max_buffered_events: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
    /** Model prices in USD per 1M tokens, over the built-in table (@switchyard/limits): `{ 'openai/gpt-4o': { input: 2.5, output: 10 } }`. */
    pricing: z
      .object({
        models: z.record(z.string().min(1), z.object({ input: z.number().min(0), output: z.number().min(0) }).strict()).default({}),
      })
      .strict()
      .prefault({}),
    /** How long shutdown waits for in-flight requests (streams included). */
    shutdown_grace_ms: z.number().int().min(0).default(10_000),
    backends: fragments.backends.prefault({}),
    observability: fragments.observability.prefault({}),
  })
  .strict();

export type EdgeConfig = z.output<typeof edgeConfigSchema>;
export type EdgeConfigInput = z.input<typeof edgeConfigSchema>;

/** The environment, mapped to the schema's shape (undefined values are dropped by the loader). */
export function edgeEnv(env: Env): Record<string, unknown> {
  return {
    host: env.SWITCHYARD_EDGE_HOST || undefined,
    port: envInt(env, 'SWITCHYARD_EDGE_PORT') ?? envInt(env, 'PORT'),
    auth: env.SWITCHYARD_EDGE_AUTH || undefined,
    admin_token: envSecret(env, 'SWITCHYARD_ADMIN_TOKEN'),
    body_limit_bytes: envInt(env, 'SWITCHYARD_EDGE_BODY_LIMIT_BYTES'),
    upstream_timeout_ms: envInt(env, 'SWITCHYARD_EDGE_UPSTREAM_TIMEOUT_MS'),
    llm_proxy_addr: env.SWITCHYARD_EDGE_LLM_PROXY_ADDR || undefined,
    governance_addr: env.SWITCHYARD_EDGE_GOVERNANCE_ADDR || undefined,
    telemetry_addr: env.SWITCHYARD_EDGE_TELEMETRY_ADDR || undefined,
    mcp_connector_addr: env.SWITCHYARD_EDGE_MCP_CONNECTOR_ADDR || undefined,
    mcp: {
      enabled: envBool(env, 'SWITCHYARD_EDGE_MCP_ENABLED'),
      session_secret: envSecret(env, 'SWITCHYARD_EDGE_MCP_SESSION_SECRET'),
      session_idle_ttl_ms: envInt(env, 'SWITCHYARD_EDGE_MCP_SESSION_IDLE_TTL_MS'),
    },
    grpc: { port: envInt(env, 'SWITCHYARD_EDGE_GRPC_PORT') },
    backends: { nats_url: env.NATS_URL || undefined, redis_url: env.REDIS_URL || undefined, redis_key_prefix: env.SWITCHYARD_REDIS_KEY_PREFIX || undefined },
    limits: { redis_key_prefix: env.SWITCHYARD_EDGE_LIMITS_REDIS_KEY_PREFIX || undefined },
    observability: fragments.observabilityEnv(env),
  };
}

export interface LoadEdgeConfigOptions {
  /** The `edge` section of the config file, already read. */
  file?: unknown;
  env: Env;
  /** Win over file and environment (tests, the all-in-one runner). */
  overrides?: unknown;
}

/** Defaults < file < environment < overrides; unknown keys fail with their path. */
export function loadEdgeConfig(options: LoadEdgeConfigOptions): EdgeConfig {
  return loadConfig(edgeConfigSchema, {
    file: options.file,
    env: edgeEnv(options.env),
    overrides: options.overrides,
    source: 'edge',
  });
}
