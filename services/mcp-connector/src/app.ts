import { createBus, type Bus } from '@switchyard/bus';
import { createLogger, createRegistry, startOpsServer, type Logger, type Registry } from '@switchyard/obs';
import { startGrpcServer } from '@switchyard/proto';
import { BusCatalogPublisher } from './adapters/bus/bus-catalog-publisher.js';
import { SdkConnector } from './adapters/mcp/sdk-connector.js';
import { baseChildEnvironment, type McpConnectorConfig } from './config.js';
import { McpConnector, type ClientStatus } from './domain/connector.js';
import type { UpstreamConnector } from './domain/ports.js';
import { createMetrics } from './metrics.js';
import { mcpConnectorServiceBinding } from './server/grpc/mcp-connector-service.js';

export interface McpConnectorDeps {
  logger?: Logger;
  registry?: Registry;
  /** A bus the caller owns (all-in-one, tests): used, never disposed by the app. */
  bus?: Bus;
  /** The environment stdio children start from (default: PATH, HOME, ... of this process). */
  childEnv?: Record<string, string>;
  /** Replaces the MCP SDK connector (tests of the wiring only). */
  upstreams?: UpstreamConnector;
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
  let starting: Promise<StartedMcpConnector> | undefined;
  const clients = (): ClientStatus[] => connector?.listClients() ?? [];
  const metrics = createMetrics(registry, clients);

  async function ready(): Promise<boolean> {
    if (!connector || !bus) return false;
    try {
      await bus.ping();
      return true;
    } catch (err) {
      logger.warn({ err }, 'mcp_connector.not_ready');
      return false;
    }
  }

  async function open(): Promise<StartedMcpConnector> {
    const b = deps.bus ?? resources.use(await createBus({ url: config.backends.nats_url, prefix: config.backends.subject_prefix, name: 'switchyard-mcp-connector' }));
    const log = logger.child({ subsystem: 'upstreams' });
    const c = new McpConnector({
      clients: config.clients,
      connector: deps.upstreams ?? new SdkConnector({ baseEnv: deps.childEnv ?? baseChildEnvironment() }),
      publisher: new BusCatalogPublisher(b, logger),
      backoff: {
        initialDelayMs: config.reconnect.initial_delay_ms,
        maxDelayMs: config.reconnect.max_delay_ms,
        multiplier: config.reconnect.multiplier,
        jitter: config.reconnect.jitter,
      },
      healthIntervalMs: config.health_check_interval_ms,
      maxFailures: config.health_check_failures,
      onEvent: (event, detail) => (event.endsWith('failed') ? log.warn(detail, event) : log.info(detail, event)),
    });
    // Disposed after the gRPC server stops (the stack unwinds in reverse).
    resources.use(c);
    const grpc = resources.use(await startGrpcServer([mcpConnectorServiceBinding({ connector: c, logger, rpcSeconds: metrics.rpcSeconds })], config.grpc.host, config.grpc.port));
    connector = c;
    bus = b;
    c.start();
    let opsPort: number | undefined;
    if (config.ops.port !== -1) {
      const ops = resources.use(await startOpsServer({ host: config.ops.host, port: config.ops.port, registry, ready }));
      opsPort = ops.port;
    }
    resources.defer(() => { bus = undefined; });
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
