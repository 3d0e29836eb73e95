import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Env } from '@switchyard/config';
import { createLogger, createRegistry, type Logger, type Registry } from '@switchyard/obs';
import { createBus, type Bus } from '@switchyard/bus';
import { openPgliteThread } from '@switchyard/db';
import { useInProcessCalls } from '@switchyard/proto';
import * as edge from '@switchyard/edge';
import * as llmProxy from '@switchyard/llm-proxy';
import * as governance from '@switchyard/governance';
import * as telemetry from '@switchyard/telemetry';
import * as mcpConnector from '@switchyard/mcp-connector';
import type { AllInOneOptions, ServiceName } from './config.js';

/** Per-service overrides (tests, benchmarks); they win over file and environment. */
export interface AllInOneOverrides {
  edge?: Record<string, unknown>;
  llm_proxy?: Record<string, unknown>;
  governance?: Record<string, unknown>;
  telemetry?: Record<string, unknown>;
  mcp_connector?: Record<string, unknown>;
}

export interface AllInOne extends AsyncDisposable {
  /** The edge's base URL, when edge runs here. */
  url: string | undefined;
  /** Bound gRPC ports of the internal services that run here. */
  grpcPorts: Partial<Record<ServiceName, number>>;
  bus: Bus;
  logger: Logger;
}


/**
 * The key for MCP client secrets when none is configured and the database is embedded:
 * kept in `<dataDir>/encryption.key` (created once, mode 0600) so a restart can read
 * what it stored; a fresh one per process for `memory://`. With an external database
 * the key must come from SWITCHYARD_ENCRYPTION_KEY (the replicas must share it).
 */
function embeddedEncryptionKey(env: Env, dataDir: string, embeddedDb: boolean): string | undefined {
  if (env.SWITCHYARD_ENCRYPTION_KEY || env.SWITCHYARD_ENCRYPTION_KEY_FILE || !embeddedDb) return undefined;
  if (dataDir === 'memory://') return randomBytes(32).toString('base64');
  const path = join(dataDir, 'encryption.key');
  if (!existsSync(path)) writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return readFileSync(path, 'utf8').trim();
}

/**
 * Runs the selected services in one process, each through its own createApp exactly
 * as its pod would, with embedded defaults: PGlite when DATABASE_URL is unset, an
 * in-process bus when NATS_URL is unset. The services still talk over gRPC on loopback.
 */
export async function createAllInOne(options: AllInOneOptions, env: Env, overrides: AllInOneOverrides = {}): Promise<AllInOne> {
  const logger = createLogger({ service: 'switchyard', level: env.LOG_LEVEL ?? 'info' });
  const stack: AsyncDisposable[] = [];
  const run = new Set(options.services);
  const dispose = async (): Promise<void> => {
    for (const d of stack.reverse()) await Promise.resolve(d[Symbol.asyncDispose]()).catch((err: unknown) => logger.error({ err }, 'all-in-one.dispose_failed'));
  };
  // Decided before any server starts: servers register for in-process calls as they bind.
  useInProcessCalls(options.internalTransport === 'in-process');
  try {
    const subjectPrefix = env.SWITCHYARD_SUBJECT_PREFIX ?? '';
    const bus = await createBus({ url: env.NATS_URL, prefix: subjectPrefix, name: 'switchyard-all-in-one' });
    stack.push(bus);
    const needsDb = run.has('governance') || run.has('telemetry') || run.has('mcp-connector');
    const embeddedDb = needsDb && !env.DATABASE_URL;
    if (embeddedDb && options.dataDir !== 'memory://') mkdirSync(options.dataDir, { recursive: true });
    // In a worker thread: PGlite's WASM Postgres never blocks the loop that serves requests.
    const pglite = embeddedDb ? await openPgliteThread(options.dataDir === 'memory://' ? undefined : options.dataDir) : undefined;
    if (pglite) stack.push({ [Symbol.asyncDispose]: () => pglite.close() } satisfies AsyncDisposable);
    const backends = { subject_prefix: subjectPrefix, ...(env.SWITCHYARD_DATABASE_SCHEMA ? { database_schema: env.SWITCHYARD_DATABASE_SCHEMA } : {}) };
    const internal = { grpc: { host: '127.0.0.1', port: 0 }, ops: { port: -1 }, backends };
    const registries: Registry[] = [];
    const grpcPorts: Partial<Record<ServiceName, number>> = {};

    if (run.has('llm-proxy')) {
      const config = llmProxy.loadLlmProxyConfig({ file: options.file.llm_proxy, env, overrides: { grpc: internal.grpc, ops: internal.ops, ...overrides.llm_proxy } });
      const registry = createRegistry({ service: 'llm-proxy', defaultMetrics: false });
      const app = await llmProxy.createApp(config, { logger: logger.child({ service: 'llm-proxy' }), registry });
      stack.push(app);
      grpcPorts['llm-proxy'] = (await app.start()).grpcPort;
      registries.push(registry);
    }
    if (run.has('governance')) {
      const config = governance.loadGovernanceConfig({ file: options.file.governance, env, overrides: { ...internal, ...overrides.governance } });
      const registry = createRegistry({ service: 'governance', defaultMetrics: false });
      const app = await governance.createApp(config, { logger: logger.child({ service: 'governance' }), registry, bus, ...(pglite ? { pglite } : {}) });
      stack.push(app);
      grpcPorts.governance = (await app.start()).grpcPort;
      registries.push(registry);
    }
    if (run.has('telemetry')) {
      const config = telemetry.loadTelemetryConfig({ file: options.file.telemetry, env, overrides: { ...internal, ...overrides.telemetry } });
      const registry = createRegistry({ service: 'telemetry', defaultMetrics: false });
      const app = await telemetry.createApp(config, { logger: logger.child({ service: 'telemetry' }), registry, bus, ...(pglite ? { pglite } : {}) });
      stack.push(app);
      grpcPorts.telemetry = (await app.start()).grpcPort;
      registries.push(registry);
    }
    if (run.has('mcp-connector')) {
      const key = embeddedEncryptionKey(env, options.dataDir, embeddedDb);
      const config = mcpConnector.loadMcpConnectorConfig({ file: options.file.mcp_connector, env, overrides: { ...internal, ...(key ? { encryption_key: key } : {}), ...overrides.mcp_connector } });
      const registry = createRegistry({ service: 'mcp-connector', defaultMetrics: false });
      const app = mcpConnector.createApp(config, { logger: logger.child({ service: 'mcp-connector' }), registry, bus, ...(pglite ? { pglite } : {}) });
      stack.push(app);
      grpcPorts['mcp-connector'] = (await app.start()).grpcPort;
      registries.push(registry);
    }
    let url: string | undefined;
    if (run.has('edge')) {
      const local = (name: ServiceName): string | undefined => (grpcPorts[name] ? `127.0.0.1:${grpcPorts[name]}` : undefined);
      const config = edge.loadEdgeConfig({
        file: options.file.edge,
        env,
        overrides: {
          llm_proxy_addr: local('llm-proxy'),
          governance_addr: local('governance'),
          telemetry_addr: local('telemetry'),
          mcp_connector_addr: local('mcp-connector'),
          // No mcp-connector here and none named elsewhere: edge does not look for MCP tools.
          ...(run.has('mcp-connector') || env.SWITCHYARD_EDGE_MCP_CONNECTOR_ADDR || options.file.edge?.mcp_connector_addr ? {} : { mcp: { enabled: false } }),
          grpc: { port: -1 },
          backends,
          ...overrides.edge,
        },
      });
      const registry = createRegistry({ service: 'edge' });
      const app = await edge.createApp(config, { logger: logger.child({ service: 'edge' }), registry, bus, extraRegistries: registries });
      stack.push(app);
      const { port } = await app.start();
      url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    }
    return { url, grpcPorts, bus, logger, [Symbol.asyncDispose]: dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
