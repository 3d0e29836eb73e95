import { z } from 'zod';
import { configFileSection, envInt, envSecret, fragments, loadConfig, type Env, type ServiceConfigOptions } from '@switchyard/config';

const clientName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'client names are 1-64 characters of [A-Za-z0-9_-]');

/** Per-call prices in USD (Bifrost's `tool_pricing`): `tools` by upstream tool name, else `default`, else free. */
const toolPricing = z
  .object({
    default: z.number().min(0).optional(),
    tools: z.record(z.string(), z.number().min(0)).default({}),
  })
  .strict();

/** A tool's price per call in micro-USD (integer), from its client's `tool_pricing`. */
export function toolPriceMicros(pricing: z.output<typeof toolPricing> | undefined, tool: string): number {
  const usd = pricing?.tools[tool] ?? pricing?.default ?? 0;
  return Math.round(usd * 1_000_000);
}

const stdioConfig = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Added to the explicit base environment (PATH, HOME, ...) the child gets. */
    env: z.record(z.string(), z.string()).default({}),
  })
  .strict();

/** One upstream MCP server, with Bifrost's field names so that a migration is a copy. */
export const mcpClientConfigSchema = z
  .object({
    name: clientName,
    connection_type: z.enum(['stdio', 'sse', 'http']),
    stdio_config: stdioConfig.optional(),
    connection_string: fragments.url.optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** `["*"]` all, `[]` none, else exact upstream tool names. */
    tools_to_execute: z.array(z.string()).default(['*']),
    tools_to_auto_execute: z.array(z.string()).default([]),
    timeout_ms: z.number().int().positive().default(30_000),
    /** USD per call, charged to the caller's budgets: `{ default: 0.01, tools: { search: 0.05 } }`. */
    tool_pricing: toolPricing.optional(),
    disabled: z.boolean().default(false),
    /**
     * Session lanes: most upstream connections this client opens for single downstream
     * sessions (0: none, every call shares the one connection). Absent: the global value.
     */
    max_session_connections: z.number().int().min(0).max(1000).optional(),
    /** A session lane idle this long is closed. Absent: the global value. */
    session_idle_ttl_ms: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.connection_type === 'stdio' && !c.stdio_config) {
      ctx.addIssue({ code: 'custom', path: ['stdio_config'], message: 'stdio clients need stdio_config' });
    }
    if (c.connection_type !== 'stdio' && !c.connection_string) {
      ctx.addIssue({ code: 'custom', path: ['connection_string'], message: `${c.connection_type} clients need connection_string` });
    }
  });

export type McpClientConfig = z.output<typeof mcpClientConfigSchema>;

export const reconnectSchema = z
  .object({
    initial_delay_ms: z.number().int().positive().default(500),
    max_delay_ms: z.number().int().positive().default(30_000),
    multiplier: z.number().min(1).default(2),
    /** 0..1: the share of each delay that is randomised. */
    jitter: z.number().min(0).max(1).default(0.5),
  })
  .strict();

export const mcpConnectorConfigSchema = z
  .object({
    grpc: fragments.grpcEndpoint(50054),
    ops: fragments.opsEndpoint(),
    clients: z.array(mcpClientConfigSchema).default([]).superRefine((clients, ctx) => {
      const seen = new Set<string>();
      clients.forEach((c, i) => {
        if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate client name ${c.name}` });
        seen.add(c.name);
      });
    }),
    /**
     * AES-256-GCM key (32 bytes, base64 or hex) for the secrets of API-managed clients
     * (header values, stdio env values) at rest. Env SWITCHYARD_ENCRYPTION_KEY(_FILE).
     */
    encryption_key: z.string().min(1).optional(),
    /** Clients managed through edge's /api/mcp/clients, stored in Postgres (`mcp_clients`). */
    managed_clients: z
      .object({
        enabled: z.boolean().default(true),
        /** Every replica re-reads the table this often, repairing a missed `mcp.clients.changed`. */
        resync_interval_ms: z.number().int().positive().default(60_000),
      })
      .strict()
      .prefault({}),
    health_check_interval_ms: z.number().int().positive().default(10_000),
    /** Failed checks in a row before a client is declared disconnected and reconnected. */
    health_check_failures: z.number().int().positive().default(3),
    reconnect: reconnectSchema.prefault({}),
    /**
     * Session lanes (docs/architecture.md): a legacy downstream session whose client takes
     * server-to-client requests or set a log level gets its own upstream connection per
     * client, at most this many per client; beyond it calls share the one connection.
     */
    max_session_connections: z.number().int().min(0).max(1000).default(16),
    /** A session lane idle this long is closed (keep it at most edge's mcp.session_idle_ttl_ms). */
    session_idle_ttl_ms: z.number().int().positive().default(300_000),
    backends: fragments.backends.prefault({}),
    observability: fragments.observability.prefault({}),
  })
  .strict();

export type McpConnectorConfig = z.output<typeof mcpConnectorConfigSchema>;
export type McpConnectorConfigInput = z.input<typeof mcpConnectorConfigSchema>;
export type ReconnectConfig = z.output<typeof reconnectSchema>;

export type LoadMcpConnectorConfigOptions = ServiceConfigOptions;

function envOverrides(env: Env): unknown {
  return {
    ...fragments.serviceEnv(env, 'MCP_CONNECTOR'),
    encryption_key: envSecret(env, 'SWITCHYARD_ENCRYPTION_KEY'),
    max_session_connections: envInt(env, 'SWITCHYARD_MCP_CONNECTOR_MAX_SESSION_CONNECTIONS'),
    session_idle_ttl_ms: envInt(env, 'SWITCHYARD_MCP_CONNECTOR_SESSION_IDLE_TTL_MS'),
    backends: { database_url: env.DATABASE_URL || undefined, nats_url: env.NATS_URL || undefined },
    observability: fragments.observabilityEnv(env),
  };
}

/** Defaults < the file's `mcp_connector` section < environment < overrides; strict. */
export function loadMcpConnectorConfig(options: LoadMcpConnectorConfigOptions): McpConnectorConfig {
  return loadConfig(mcpConnectorConfigSchema, {
    file: options.file,
    env: envOverrides(options.env),
    overrides: options.overrides,
    source: 'mcp_connector',
  });
}

/** The `mcp_connector` section of `$SWITCHYARD_CONFIG` (if set) and the environment. */
export function mcpConnectorConfigFromEnvironment(env: Env = process.env): McpConnectorConfig {
  return loadMcpConnectorConfig({ file: configFileSection(env, 'mcp_connector'), env });
}

/** The environment a stdio child starts from: only what a command needs to run, never our secrets. */
export function baseChildEnvironment(env: Env = process.env): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LOGNAME', 'USER', 'SHELL', 'TERM', 'LANG', 'TMPDIR', 'SYSTEMROOT', 'NODE_EXTRA_CA_CERTS'];
  const out: Record<string, string> = {};
  for (const k of keep) { const v = env[k]; if (v !== undefined) out[k] = v; }
  return out;
}
