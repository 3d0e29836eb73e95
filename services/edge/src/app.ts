import { createBus, type Bus } from '@switchyard/bus';
import { createLogger, createRegistry, type Logger, type Registry } from '@switchyard/obs';
import { createClient, governance, llmproxy, mcpadmin, mcpconnector, startGrpcServer, telemetry, type GrpcClient } from '@switchyard/proto';
import { getRequestListener } from '@hono/node-server';
import type { EdgeConfig } from './config.js';
import { GrpcKeyAdmin, GrpcKeyDirectory, GrpcLedgerSource } from './adapters/grpc/governance.js';
import { GrpcCustomerAdmin, GrpcTeamAdmin, GrpcToolGroupAdmin } from './adapters/grpc/governance-admin.js';
import { ToolGroupCache } from './domain/tool-group-cache.js';
import { GrpcLimitsAdmin } from './adapters/grpc/limits-admin.js';
import { BusUsageSink } from './adapters/nats/usage-sink.js';
import { LimitsGate } from './domain/limits-gate.js';
import { Counters, MemoryCounterDriver, PriceTable, RedisCounterDriver, type CounterDriver } from '@switchyard/limits';
import { connectRedis } from './adapters/redis/connect.js';
import { GrpcLlmGateway } from './adapters/grpc/llm-proxy.js';
import { GrpcMcpClientAdmin } from './adapters/grpc/mcp-client-admin.js';
import { GrpcMcpConnector } from './adapters/grpc/mcp-connector.js';
import { GrpcAuditLog } from './adapters/grpc/telemetry.js';
import { EdgeMetrics } from './adapters/metrics.js';
import { RedisSessionStore } from './adapters/redis/redis-session-store.js';
import { MemorySessionStore, type McpSessionStore } from './domain/mcp-sessions.js';
import { BusAuditSink } from './adapters/nats/audit-sink.js';
import { sessionClosedPublisher } from './adapters/nats/session-closed-publisher.js';
import { AuthState } from './domain/auth-state.js';
import { Authenticator } from './domain/authenticator.js';
import { PolicyCache } from './domain/policy-cache.js';
import type { ReadinessProbe } from './domain/ports.js';
import { ToolCatalogCache } from './domain/tool-catalog.js';
import { edgeAdminService } from './server/grpc/edge-admin-service.js';
import { ChatHandler } from './server/http/chat.js';
import { createHonoApp } from './server/http/hono-app.js';
import { EdgeHttpServer } from './server/http/node-server.js';
import type { McpExecuteDeps } from './server/http/mcp-execute.js';
import { ResourceUpdateFeed, upstreamUnsubscriber } from './server/http/mcp-resource-updates.js';
import { subscribeResourcesUpdated } from './server/nats/resources-updated.js';
import { ChangeFeed, randomSessionSecret, type McpServerDeps } from './server/http/mcp-server.js';
import { MrtrRegistry } from './server/http/mcp-mrtr.js';
import { subscribeCatalogChanged } from './server/nats/catalog-changed.js';
import { subscribePolicyChanged } from './server/nats/policy-changed.js';

export interface EdgeDeps {
  logger?: Logger;
  registry?: Registry;
  /** A shared bus (all-in-one, tests); not disposed with the app. */
  bus?: Bus;
  /** Other services' registries, served on /metrics with the edge's own. */
  extraRegistries?: readonly Registry[];
}

export interface EdgeApp extends AsyncDisposable {
  /** Binds HTTP (and the internal gRPC port unless it is -1); `grpcPort` is -1 when disabled. */
  start(): Promise<{ port: number; grpcPort: number }>;
  readonly registry: Registry;
  readonly logger: Logger;
}

const PROBE_DEADLINE_MS = 1_000;
const NO_KEYS_WARNING = 'no virtual keys exist: requests are accepted without a key until the first key is created';

type Cleanup = () => Promise<void> | void;

interface Clients {
  llm: GrpcClient<typeof llmproxy.LlmProxyService>;
  governance: GrpcClient<typeof governance.GovernanceService>;
  telemetry: GrpcClient<typeof telemetry.TelemetryService>;
  mcp: GrpcClient<typeof mcpconnector.McpConnectorService> | undefined;
  mcpAdmin: GrpcClient<typeof mcpadmin.McpClientAdminService> | undefined;
}

function connectClients(config: EdgeConfig, cleanups: Cleanup[]): Clients {
  const clients: Clients = {
    llm: createClient(llmproxy.LlmProxyService, config.llm_proxy_addr),
    governance: createClient(governance.GovernanceService, config.governance_addr),
    telemetry: createClient(telemetry.TelemetryService, config.telemetry_addr),
    mcp: config.mcp.enabled ? createClient(mcpconnector.McpConnectorService, config.mcp_connector_addr) : undefined,
    mcpAdmin: config.mcp.enabled ? createClient(mcpadmin.McpClientAdminService, config.mcp_connector_addr) : undefined,
  };
  cleanups.push(() => {
    clients.llm.close();
    clients.governance.close();
    clients.telemetry.close();
    clients.mcp?.close();
    clients.mcpAdmin?.close();
  });
  return clients;
}

function readinessProbes(clients: Clients, bus: Bus): ReadinessProbe[] {
  return [
    { name: 'governance', check: () => clients.governance.waitForReady(PROBE_DEADLINE_MS) },
    { name: 'llm_proxy', check: () => clients.llm.waitForReady(PROBE_DEADLINE_MS) },
    { name: 'telemetry', check: () => clients.telemetry.waitForReady(PROBE_DEADLINE_MS) },
    { name: 'bus', check: () => bus.ping() },
  ];
}

function createAuthState(config: EdgeConfig, directory: GrpcKeyDirectory, logger: Logger): AuthState | undefined {
  if (config.auth === 'required') return undefined;
  return new AuthState(
    () => directory.keyCount(),
    (count, previous) => {
      if (count === 0) logger.warn({ reason: NO_KEYS_WARNING }, 'edge.auth_disabled');
      else if (previous === 0) logger.info({ keyCount: count }, 'edge.auth_enabled');
    },
  );
}

/** Reads the key count now and every `auth_state_refresh_ms` (optional mode only). */
async function watchAuthState(config: EdgeConfig, state: AuthState | undefined, logger: Logger, cleanups: Cleanup[]): Promise<void> {
  if (state === undefined) return;
  const refresh = (): Promise<void> =>
    state.refresh().then(
      () => undefined,
      (err: unknown) => logger.warn({ err }, 'edge.auth_state_unavailable'),
    );
  await refresh();
  const timer = setInterval(() => void refresh(), config.policy_cache.auth_state_refresh_ms);
  timer.unref();
  cleanups.push(() => clearInterval(timer));
}

interface Started {
  port: number;
  grpcPort: number;
}

interface RuntimeDeps {
  logger: Logger;
  registry: Registry;
  extraRegistries: readonly Registry[];
  bus: Bus | undefined;
}

interface AuthParts {
  cache: PolicyCache;
  state: AuthState | undefined;
  auth: Authenticator;
}

function buildAuth(config: EdgeConfig, clients: Clients, metrics: EdgeMetrics, logger: Logger): AuthParts {
  const directory = new GrpcKeyDirectory(clients.governance.client);
  const cache = new PolicyCache(directory, {
    ttlMs: config.policy_cache.ttl_ms,
    negativeTtlMs: config.policy_cache.negative_ttl_ms,
    maxEntries: config.policy_cache.max_entries,
    onLookup: metrics.policyCacheResult,
  });
  const state = createAuthState(config, directory, logger);
  return { cache, state, auth: new Authenticator({ mode: config.auth, cache, state }) };
}

async function connectBus(config: EdgeConfig, injected: Bus | undefined, cleanups: Cleanup[]): Promise<Bus> {
  if (injected) return injected;
  const bus = await createBus({ url: config.backends.nats_url, prefix: config.backends.subject_prefix, name: 'switchyard-edge' });
  cleanups.push(async () => {
    await bus[Symbol.asyncDispose]();
  });
  return bus;
}

async function startAudit(config: EdgeConfig, bus: Bus, metrics: EdgeMetrics, logger: Logger, cleanups: Cleanup[]): Promise<BusAuditSink> {
  const audit = new BusAuditSink(bus, { maxBuffered: config.audit.max_buffered, logContent: config.audit.log_content, logger, onDrop: metrics.auditDroppedBy });
  cleanups.push(() => audit[Symbol.asyncDispose]());
  await audit.ensureStream();
  return audit;
}

/**
 * Counters in Redis when `backends.redis_url` is set (shared by every replica), else in
 * memory (one process). Redis runs without an offline queue: while it is unreachable a
 * reservation fails at once (503 `limits_unavailable`) instead of queueing.
 */
async function startCounters(config: EdgeConfig, clients: Clients, logger: Logger, cleanups: Cleanup[]): Promise<Counters> {
  const ledger = new GrpcLedgerSource(clients.governance.client);
  let driver: CounterDriver;
  const url = config.backends.redis_url;
  if (url === undefined) {
    driver = new MemoryCounterDriver();
  } else {
    const redis = await connectRedis(url, {
      connectionName: 'switchyard-edge',
      autoPipelining: true,
      onUnavailable: (err) => logger.warn({ err }, 'limits.redis_unavailable'),
      onRecovered: () => logger.info({}, 'limits.redis_recovered'),
    });
    cleanups.push(() => { redis.disconnect(); });
    // One deployment prefix (backends.redis_key_prefix) in front of every key edge writes: sessions and counters.
    driver = new RedisCounterDriver(redis, config.backends.redis_key_prefix + config.limits.redis_key_prefix);
  }
  return new Counters({ driver, ledger });
}

async function startLimits(config: EdgeConfig, ctx: { clients: Clients; bus: Bus; metrics: EdgeMetrics; logger: Logger }, cleanups: Cleanup[]): Promise<{ gate: LimitsGate; counters: Counters }> {
  const counters = await startCounters(config, ctx.clients, ctx.logger, cleanups);
  const usage = new BusUsageSink(ctx.bus, { maxBuffered: config.limits.max_buffered_events, logger: ctx.logger, onDrop: ctx.metrics.usageDroppedBy });
  cleanups.push(() => usage[Symbol.asyncDispose]());
  await usage.ensureStream();
  const gate = new LimitsGate({
    counters,
    prices: new PriceTable(config.pricing.models),
    estimate: { defaultMaxTokens: config.limits.default_max_tokens, promptBytesPerToken: config.limits.prompt_bytes_per_token },
    usage,
    metrics: ctx.metrics.limits,
    logger: ctx.logger,
  });
  return { gate, counters };
}

/** After a failed catalog fetch, chat runs without MCP tools for this long before the next try. */
const CATALOG_RETRY_MS = 5_000;

interface McpParts {
  catalog: ToolCatalogCache;
  execute: McpExecuteDeps;
  server: McpServerDeps;
}

/** The MCP tool catalog (kept fresh from the bus) and tool execution; undefined when MCP is off. */
/** `/mcp` session state: Redis when `backends.redis_url` is set (every replica shares it), else memory. */
async function openSessionStore(config: EdgeConfig, logger: Logger, cleanups: Cleanup[]): Promise<McpSessionStore> {
  const ttl = config.mcp.session_idle_ttl_ms;
  const url = config.backends.redis_url;
  const store: McpSessionStore = url
    ? await RedisSessionStore.connect({ url, keyPrefix: config.backends.redis_key_prefix, idleTtlMs: ttl }, (err) => logger.warn({ err }, 'mcp.sessions_redis_unavailable'))
    : new MemorySessionStore(ttl);
  if (!url) logger.info({ reason: 'REDIS_URL is not set: /mcp sessions live in this process only' }, 'mcp.sessions_in_memory');
  cleanups.push(async () => { await store[Symbol.asyncDispose](); });
  return store;
}

function startMcp(
  config: EdgeConfig,
  ctx: { clients: Clients; bus: Bus; audit: BusAuditSink; auth: Authenticator; metrics: EdgeMetrics; logger: Logger; groups: ToolGroupCache; sessions: McpSessionStore | undefined; limits: LimitsGate },
  cleanups: Cleanup[],
): McpParts | undefined {
  if (ctx.clients.mcp === undefined || ctx.sessions === undefined) return undefined;
  const { logger, metrics } = ctx;
  const connector = new GrpcMcpConnector(ctx.clients.mcp.client);
  const catalog = new ToolCatalogCache(connector, {
    ttlMs: config.mcp.catalog_ttl_ms,
    retryMs: Math.min(CATALOG_RETRY_MS, config.mcp.catalog_ttl_ms),
    onError: (err, first) => {
      metrics.mcpCatalogError();
      if (first) logger.warn({ err, addr: config.mcp_connector_addr }, 'mcp.catalog_unavailable');
    },
    onRecovered: () => logger.info({ addr: config.mcp_connector_addr }, 'mcp.catalog_recovered'),
  });
  const changes = new ChangeFeed();
  const subscription = subscribeCatalogChanged({ bus: ctx.bus, catalog, logger, onChanged: () => changes.changed() });
  cleanups.push(() => subscription.unsubscribe());
  const resourceUpdates = new ResourceUpdateFeed();
  const updates = subscribeResourcesUpdated({ bus: ctx.bus, feed: resourceUpdates, subscriptions: ctx.sessions, unsubscribeUpstream: upstreamUnsubscriber(connector, logger), logger });
  cleanups.push(() => updates.unsubscribe());
  void catalog.refresh();
  const execute: McpExecuteDeps = {
    auth: ctx.auth, executor: connector, catalog, audit: ctx.audit, metrics, logger, limits: ctx.limits,
    bodyLimitBytes: config.body_limit_bytes,
    toolTimeoutMs: config.mcp.tool_timeout_ms,
    logContent: config.audit.log_content,
  };
  if (config.mcp.session_secret === undefined) {
    logger.warn({ reason: 'mcp.session_secret is not set: /mcp session ids are valid on this replica only' }, 'mcp.session_secret_random');
  }
  const sessionSecret = config.mcp.session_secret ?? randomSessionSecret();
  const server: McpServerDeps = {
    ...execute,
    sessionSecret,
    mrtr: new MrtrRegistry(sessionSecret, config.mcp.mrtr_wait_ms),
    sessions: ctx.sessions,
    onSessionEnded: sessionClosedPublisher(ctx.bus, logger),
    allowedOrigins: config.mcp.allowed_origins,
    forwarder: connector,
    changes,
    resourceUpdates,
    sessionIdleTtlMs: config.mcp.session_idle_ttl_ms,
    groups: ctx.groups,
  };
  return { catalog, execute, server };
}

async function startRuntime(config: EdgeConfig, deps: RuntimeDeps, cleanups: Cleanup[]): Promise<Started> {
  const { logger } = deps;
  const metrics = new EdgeMetrics(deps.registry);
  const clients = connectClients(config, cleanups);
  const bus = await connectBus(config, deps.bus, cleanups);
  const audit = await startAudit(config, bus, metrics, logger, cleanups);
  const { cache, state, auth } = buildAuth(config, clients, metrics, logger);
  const toolGroups = new GrpcToolGroupAdmin(clients.governance.client);
  const groups = new ToolGroupCache(toolGroups, { ttlMs: config.policy_cache.ttl_ms });
  const subscription = subscribePolicyChanged({ bus, cache, state, logger, groups });
  cleanups.push(() => subscription.unsubscribe());
  await watchAuthState(config, state, logger, cleanups);
  const grpcPort = config.grpc.port < 0 ? -1 : await startAdminGrpc(config, cache, cleanups);
  const limits = await startLimits(config, { clients, bus, metrics, logger }, cleanups);
  const sessions = config.mcp.enabled ? await openSessionStore(config, logger, cleanups) : undefined;
  const mcp = startMcp(config, { clients, bus, audit, auth, metrics, logger, groups, sessions, limits: limits.gate }, cleanups);
  const probes = readinessProbes(clients, bus);
  if (sessions?.kind === 'redis') probes.push({ name: 'redis', check: () => sessions.ping() });

  const llm = new GrpcLlmGateway(clients.llm.client);
  const chat = new ChatHandler({
    auth, llm, audit, metrics, logger,
    bodyLimitBytes: config.body_limit_bytes,
    upstreamTimeoutMs: config.upstream_timeout_ms,
    logContent: config.audit.log_content,
    tools: mcp?.catalog,
    agent: mcp ? { tools: mcp.execute, maxDepth: config.mcp.agent_max_depth } : undefined,
    limits: limits.gate,
  });
  const hono = createHonoApp({
    auth, llm, metrics, logger,
    keys: new GrpcKeyAdmin(clients.governance.client),
    customers: new GrpcCustomerAdmin(clients.governance.client),
    teams: new GrpcTeamAdmin(clients.governance.client),
    toolGroups,
    limitsAdmin: new GrpcLimitsAdmin(clients.governance.client),
    counters: limits.counters,
    auditLog: new GrpcAuditLog(clients.telemetry.client),
    adminToken: config.admin_token,
    probes,
    registries: [deps.registry, ...deps.extraRegistries],
    mcp: mcp?.execute,
    mcpServer: mcp?.server,
    mcpClients: clients.mcpAdmin ? new GrpcMcpClientAdmin(clients.mcpAdmin.client) : undefined,
  });
  // No global Request/Response override: other services may share this process (all-in-one).
  const http = new EdgeHttpServer((req, res) => chat.handle(req, res), getRequestListener(hono.fetch, { overrideGlobalObjects: false }));
  const port = await http.listen(config.host, config.port);
  cleanups.push(() => http.close(config.shutdown_grace_ms));
  if (config.admin_token === undefined) {
    logger.warn({ reason: 'SWITCHYARD_ADMIN_TOKEN is not set: /api/* answers 401 to everyone' }, 'edge.admin_disabled');
  }
  return { port, grpcPort };
}

async function startAdminGrpc(config: EdgeConfig, cache: PolicyCache, cleanups: Cleanup[]): Promise<number> {
  const server = await startGrpcServer([edgeAdminService(cache)], config.grpc.host, config.grpc.port);
  cleanups.push(() => server.shutdown(2_000));
  return server.port;
}

/**
 * The edge: public HTTP API, internal EdgeAdminService, policy-cache invalidation
 * and audit publishing. Nothing connects until `start`; dispose drains in-flight
 * requests (up to `shutdown_grace_ms`), flushes audit events and closes clients.
 */
export function createApp(config: EdgeConfig, deps: EdgeDeps = {}): EdgeApp {
  const logger = deps.logger ?? createLogger({ service: 'edge', level: config.observability.log_level, logContent: config.observability.log_content });
  const registry = deps.registry ?? createRegistry({ service: 'edge' });
  const cleanups: Cleanup[] = [];
  const dispose = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.error({ err }, 'edge.dispose_failed');
      }
    }
  };
  return {
    registry,
    logger,
    async start() {
      try {
        return await startRuntime(config, { logger, registry, extraRegistries: deps.extraRegistries ?? [], bus: deps.bus }, cleanups);
      } catch (err) {
        await dispose();
        throw err;
      }
    },
    [Symbol.asyncDispose]: dispose,
  };
}
