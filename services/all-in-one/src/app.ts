import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
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
  /** Bound gRPC ports of the internal services that run here (0 on a Unix domain socket). */
  grpcPorts: Partial<Record<ServiceName, number>>;
  /** What a gRPC client dials for each internal service that runs here: `127.0.0.1:<port>` or `unix:<path>`. */
  grpcAddresses: Partial<Record<ServiceName, string>>;
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
 * A fresh directory for the internal gRPC sockets (mode 0700, so no other user can
 * connect), or undefined when the services talk over TCP or in process. Windows has no
 * `unix:` addresses in grpc-js: TCP there.
 */
function internalSocketDir(transport: AllInOneOptions['internalTransport']): string | undefined {
  if (transport !== 'grpc' || process.platform === 'win32') return undefined;
  return mkdtempSync(join(tmpdir(), 'switchyard-grpc-'));
}

/**
 * Runs the selected services in one process, each through its own createApp exactly
 * as its pod would, with embedded defaults: PGlite when DATABASE_URL is unset, an
 * in-process bus when NATS_URL is unset. The services still talk gRPC to each other, by
 * default over Unix domain sockets (cheaper per call than TCP loopback: no TCP stack,
 * see docs/architecture.md), in a directory only this user can open, removed on dispose.
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
    const sockets = internalSocketDir(options.internalTransport);
    if (sockets) stack.push({ [Symbol.asyncDispose]: async () => rmSync(sockets, { recursive: true, force: true }) } satisfies AsyncDisposable);
    /** Where `name` serves gRPC: its own socket, or a free port on loopback. */
    const grpcAt = (name: ServiceName): { host: string; port: number } => (sockets ? { host: `unix:${join(sockets, `${name}.sock`)}`, port: 0 } : { host: '127.0.0.1', port: 0 });
    const internalFor = (name: ServiceName) => ({ grpc: grpcAt(name), ops: { port: -1 }, backends });
    const registries: Registry[] = [];
    const grpcPorts: Partial<Record<ServiceName, number>> = {};
    const grpcAddresses: Partial<Record<ServiceName, string>> = {};
    const served = (name: ServiceName, port: number): void => {
      grpcPorts[name] = port;
      const at = grpcAt(name);
      grpcAddresses[name] = at.host.startsWith('unix:') ? at.host : `127.0.0.1:${port}`;
    };

    if (run.has('llm-proxy')) {
      const config = llmProxy.loadLlmProxyConfig({ file: options.file.llm_proxy, env, overrides: { grpc: grpcAt('llm-proxy'), ops: { port: -1 }, ...overrides.llm_proxy } });
      const registry = createRegistry({ service: 'llm-proxy', defaultMetrics: false });
      const app = await llmProxy.createApp(config, { logger: logger.child({ service: 'llm-proxy' }), registry });
      stack.push(app);
      served('llm-proxy', (await app.start()).grpcPort);
      registries.push(registry);
    }
    if (run.has('governance')) {
      const config = governance.loadGovernanceConfig({ file: options.file.governance, env, overrides: { ...internalFor('governance'), ...overrides.governance } });
      const registry = createRegistry({ service: 'governance', defaultMetrics: false });
      const app = await governance.createApp(config, { logger: logger.child({ service: 'governance' }), registry, bus, ...(pglite ? { pglite } : {}) });
      stack.push(app);
      served('governance', (await app.start()).grpcPort);
      registries.push(registry);
    }
    if (run.has('telemetry')) {
      const config = telemetry.loadTelemetryConfig({ file: options.file.telemetry, env, overrides: { ...internalFor('telemetry'), ...overrides.telemetry } });
      const registry = createRegistry({ service: 'telemetry', defaultMetrics: false });
      const app = await telemetry.createApp(config, { logger: logger.child({ service: 'telemetry' }), registry, bus, ...(pglite ? { pglite } : {}) });
      stack.push(app);
      served('telemetry', (await app.start()).grpcPort);
      registries.push(registry);
    }
    if (run.has('mcp-connector')) {
      const key = embeddedEncryptionKey(env, options.dataDir, embeddedDb);
      const config = mcpConnector.loadMcpConnectorConfig({ file: options.file.mcp_connector, env, overrides: { ...internalFor('mcp-connector'), ...(key ? { encryption_key: key } : {}), ...overrides.mcp_connector } });
      const registry = createRegistry({ service: 'mcp-connector', defaultMetrics: false });
      const app = mcpConnector.createApp(config, { logger: logger.child({ service: 'mcp-connector' }), registry, bus, ...(pglite ? { pglite } : {}) });
      stack.push(app);
      served('mcp-connector', (await app.start()).grpcPort);
      registries.push(registry);
    }
    let url: string | undefined;
    if (run.has('edge')) {
      const local = (name: ServiceName): string | undefined => grpcAddresses[name];
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
    return { url, grpcPorts, grpcAddresses, bus, logger, [Symbol.asyncDispose]: dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
