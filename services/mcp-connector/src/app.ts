import { randomBytes } from 'node:crypto';
import { createBus, type Bus } from '@switchyard/bus';
import { createDb, migrate, type Database, type DbOptions } from '@switchyard/db';
import { createLogger, createRegistry, startOpsServer, type Logger, type Registry } from '@switchyard/obs';
import { startGrpcServer } from '@switchyard/proto';
import { BusCatalogPublisher } from './adapters/bus/bus-catalog-publisher.js';
import { BusClientChangePublisher } from './adapters/bus/bus-client-change-publisher.js';
import { BusRelayPeers } from './adapters/bus/bus-relay-peers.js';
import { BusResourceUpdatePublisher } from './adapters/bus/bus-resource-update-publisher.js';
import { parseEncryptionKey, SecretBox } from './adapters/crypto/secret-box.js';
import { migrations } from './adapters/pg/migrations/index.js';
import { PgClientStore } from './adapters/pg/pg-client-store.js';
import type { McpConnectorTables } from './adapters/pg/schema.js';
import { validateClientConfig } from './client-config-validation.js';
import { ClientRegistry } from './domain/client-registry.js';
import { SdkConnector } from './adapters/mcp/sdk-connector.js';
import { baseChildEnvironment, type McpConnectorConfig } from './config.js';
import { McpConnector, type ClientStatus } from './domain/connector.js';
import { CallRelay } from './domain/relay.js';
import { RoutedRelay } from './domain/relay-routing.js';
import type { UpstreamConnector } from './domain/ports.js';
import { createMetrics } from './metrics.js';
import { clientAdminServiceBinding } from './server/grpc/client-admin-service.js';
import { mcpConnectorServiceBinding } from './server/grpc/mcp-connector-service.js';
import { subscribeClientsChanged } from './server/nats/clients-changed.js';
import { subscribeSessionClosed } from './server/nats/session-closed.js';
import { subscribeRelayRequests } from './server/nats/relay-requests.js';

/** A peer replica that has not answered a routed answer or cancel by then is taken as gone (edge's deadline is 2 s). */
const RELAY_TIMEOUT_MS = 1_500;
/** A routed cancel is answered by every replica: after an answer, the others have this long to say they hold the call. */
const RELAY_IDLE_MS = 250;

export interface McpConnectorDeps {
  logger?: Logger;
  registry?: Registry;
  /** A bus the caller owns (all-in-one, tests): used, never disposed by the app. */
  bus?: Bus;
  /** The environment stdio children start from (default: PATH, HOME, ... of this process). */
  childEnv?: Record<string, string>;
  /** Replaces the MCP SDK connector (tests of the wiring only). */
  upstreams?: UpstreamConnector;
  /** Embedded database shared in-process; used when `backends.database_url` is unset. */
  pglite?: NonNullable<DbOptions['pglite']>;
}

export interface StartedMcpConnector {
  grpcPort: number;
  opsPort: number | undefined;
}

export interface McpConnectorApp extends AsyncDisposable {
  /** Serves gRPC and ops HTTP and starts connecting every enabled upstream (without waiting for them). */
  start(): Promise<StartedMcpConnector>;
  registry: Registry;
  /** Started and the bus answers; upstream health is per client (ListClients), not readiness. */
  ready(): Promise<boolean>;
  /** Client states (tests, admin). */
  clients(): ClientStatus[];
}

/** The mcp-connector service, wired: upstream MCP sessions, the aggregate catalog, gRPC, ops HTTP. */
export function createApp(config: McpConnectorConfig, deps: McpConnectorDeps = {}): McpConnectorApp {
  const logger = deps.logger ?? createLogger({ service: 'mcp-connector', level: config.observability.log_level, logContent: config.observability.log_content });
  const registry = deps.registry ?? createRegistry({ service: 'mcp-connector' });
  const resources = new AsyncDisposableStack();
  let connector: McpConnector | undefined;
  let bus: Bus | undefined;
  let database: Database<McpConnectorTables> | undefined;
  let starting: Promise<StartedMcpConnector> | undefined;
  const clients = (): ClientStatus[] => connector?.listClients() ?? [];
  const metrics = createMetrics(registry, clients);

  async function ready(): Promise<boolean> {
    if (!connector || !bus) return false;
    try {
      await Promise.all([bus.ping(), database?.ping()]);
      return true;
    } catch (err) {
      logger.warn({ err }, 'mcp_connector.not_ready');
      return false;
    }
  }

  /** API-managed clients: the table (migrated), the stored clients loaded, changes followed on the bus. */
  async function openRegistry(c: McpConnector, b: Bus, log: Logger): Promise<ClientRegistry> {
    const { backends } = config;
    const db = resources.use(await createDb<McpConnectorTables>({ url: backends.database_url, schema: backends.database_schema, ...(deps.pglite ? { pglite: deps.pglite } : {}) }));
    const applied = await migrate(db, 'mcp_connector', migrations);
    if (applied.length > 0) logger.info({ migrations: applied, schema: db.schema, kind: db.kind }, 'mcp_connector.migrated');
    database = db;
    let box: SecretBox | undefined;
    if (config.encryption_key !== undefined) {
      try {
        box = new SecretBox(parseEncryptionKey(config.encryption_key));
      } catch (err) {
        throw new Error(`mcp_connector.encryption_key: ${(err as Error).message}`, { cause: err });
      }
    } else {
      log.warn({ reason: 'no encryption key: API-managed clients cannot have headers or stdio env values (set SWITCHYARD_ENCRYPTION_KEY)' }, 'mcp.encryption_key_missing');
    }
    const store = new PgClientStore(db.db, box, (client, err) => log.error({ client, err }, 'mcp.client.unreadable'));
    const registry = new ClientRegistry({
      declared: config.clients,
      store,
      connector: c,
      publisher: new BusClientChangePublisher(b, logger),
      validate: validateClientConfig,
      onEvent: (event, detail) => log.warn(detail, event),
    });
    await registry.resync();
    const subscription = subscribeClientsChanged({ bus: b, registry, logger });
    resources.defer(() => subscription.unsubscribe());
    const timer = setInterval(() => void registry.resync().catch((err: unknown) => log.warn({ err }, 'mcp.clients.resync_failed')), config.managed_clients.resync_interval_ms);
    timer.unref();
    resources.defer(() => clearInterval(timer));
    return registry;
  }

  async function open(): Promise<StartedMcpConnector> {
    const b = deps.bus ?? resources.use(await createBus({ url: config.backends.nats_url, prefix: config.backends.subject_prefix, name: 'switchyard-mcp-connector' }));
    const log = logger.child({ subsystem: 'upstreams' });
    // Its HTTP pools close after every session (the stack unwinds in reverse).
    const upstreams = deps.upstreams ?? resources.use(new SdkConnector({ baseEnv: deps.childEnv ?? baseChildEnvironment() }));
    const c = new McpConnector({
      clients: config.clients,
      connector: upstreams,
      publisher: new BusCatalogPublisher(b, logger),
      resourceUpdates: new BusResourceUpdatePublisher(b, logger),
      backoff: {
        initialDelayMs: config.reconnect.initial_delay_ms,
        maxDelayMs: config.reconnect.max_delay_ms,
        multiplier: config.reconnect.multiplier,
        jitter: config.reconnect.jitter,
      },
      healthIntervalMs: config.health_check_interval_ms,
      maxFailures: config.health_check_failures,
      lanes: {
        maxPerClient: config.max_session_connections,
        idleTtlMs: config.session_idle_ttl_ms,
        onFallback: (client, reason) => metrics.laneFallbacks.inc({ client, reason }),
      },
      onEvent: (event, detail) => (event.endsWith('failed') ? log.warn(detail, event) : log.info(detail, event)),
    });
    // Disposed after the gRPC server stops (the stack unwinds in reverse).
    resources.use(c);
    const sessionClosed = subscribeSessionClosed({ bus: b, connector: c, logger });
    resources.defer(() => sessionClosed.unsubscribe());
    // Calls and relayed requests live in this replica's memory; answers and cancels that reach another replica are routed here over the bus.
    const local = new CallRelay(randomBytes(6).toString('hex'));
    const relayRequests = subscribeRelayRequests({ bus: b, relay: local, logger });
    resources.defer(() => relayRequests.unsubscribe());
    const relay = new RoutedRelay(local, new BusRelayPeers(b, { timeoutMs: RELAY_TIMEOUT_MS, idleMs: RELAY_IDLE_MS }));
    const bindings = [mcpConnectorServiceBinding({ connector: c, logger, rpcSeconds: metrics.rpcSeconds, relay })];
    if (config.managed_clients.enabled) {
      const registry = await openRegistry(c, b, log);
      bindings.push(clientAdminServiceBinding({ registry, logger, rpcSeconds: metrics.rpcSeconds }));
    }
    const grpc = resources.use(await startGrpcServer(bindings, config.grpc.host, config.grpc.port));
    connector = c;
    bus = b;
    c.start();
    let opsPort: number | undefined;
    if (config.ops.port !== -1) {
      const ops = resources.use(await startOpsServer({ host: config.ops.host, port: config.ops.port, registry, ready }));
      opsPort = ops.port;
    }
    resources.defer(() => { bus = undefined; database = undefined; });
    return { grpcPort: grpc.port, opsPort };
  }

  return {
    registry,
    ready,
    clients,
    start(): Promise<StartedMcpConnector> {
      starting ??= open().catch(async (err: unknown) => {
        await resources.disposeAsync();
        throw err;
      });
      return starting;
    },
    async [Symbol.asyncDispose](): Promise<void> {
      await starting?.catch(() => undefined);
      await resources.disposeAsync();
    },
  };
}
