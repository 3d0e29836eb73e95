import { createBus, type Bus, type Consumer } from '@switchyard/bus';
import { createDb, migrate, type Database, type DbOptions } from '@switchyard/db';
import { createLogger, createRegistry, startOpsServer, type Logger, type Registry } from '@switchyard/obs';
import { implementService, startGrpcServer, STREAMS, SUBJECTS, telemetry } from '@switchyard/proto';
import type { TelemetryConfig } from './config.js';
import type { AuditStore } from './domain/ports.js';
import { migrations } from './adapters/pg/migrations.js';
import { PgAuditStore } from './adapters/pg/pg-audit-store.js';
import type { TelemetryTables } from './adapters/pg/tables.js';
import { listAuditEvents } from './server/grpc/list-audit-events.js';
import { createTelemetryMetrics, type TelemetryMetrics } from './server/metrics.js';
import { createAuditBatchHandler } from './server/nats/audit.js';
import { startRetention } from './server/retention.js';

/** Every replica shares this durable consumer, so they split the stream between them. */
export const DURABLE_NAME = 'telemetry-writer';
const READY_TIMEOUT_MS = 2_000;

export interface TelemetryDeps {
  logger?: Logger;
  /** The all-in-one runner passes one without process metrics. */
  registry?: Registry;
  /** A shared bus (embedded mode, tests); the app does not dispose it. */
  bus?: Bus;
  /** A shared embedded database, used when no database URL is configured. */
  pglite?: DbOptions['pglite'];
}

export interface StartedTelemetry {
  grpcPort: number;
  /** Undefined when the ops server is disabled (port -1). */
  opsPort: number | undefined;
}

export interface TelemetryApp extends AsyncDisposable {
  start(): Promise<StartedTelemetry>;
  registry: Registry;
  /** True when started, not stopping, and the database and the bus answer. */
  ready(): Promise<boolean>;
}

interface Running {
  database: Database<TelemetryTables>;
  store: AuditStore;
  bus: Bus;
  consumer: Consumer | undefined;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timed out')), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function openStore(config: TelemetryConfig, deps: TelemetryDeps, stack: AsyncDisposableStack): Promise<{ database: Database<TelemetryTables>; store: AuditStore }> {
  const database = stack.use(await createDb<TelemetryTables>({
    url: config.backends.database_url,
    schema: config.backends.database_schema,
    ...(deps.pglite ? { pglite: deps.pglite } : {}),
  }));
  await migrate(database, 'telemetry', migrations);
  return { database, store: new PgAuditStore(database) };
}

async function openBus(config: TelemetryConfig, deps: TelemetryDeps, stack: AsyncDisposableStack): Promise<Bus> {
  if (deps.bus) return deps.bus;
  return stack.use(await createBus({ url: config.backends.nats_url, prefix: config.backends.subject_prefix, name: 'telemetry' }));
}

function startConsumer(config: TelemetryConfig, running: Running, logger: Logger, metrics: TelemetryMetrics): Promise<Consumer> {
  return running.bus.consume({
    stream: STREAMS.audit,
    durable: DURABLE_NAME,
    batchSize: config.batch.max_size,
    maxWaitMs: config.batch.max_wait_ms,
    retryDelayMs: config.batch.retry_delay_ms,
    handler: createAuditBatchHandler({ store: running.store, logger, metrics }),
    onError: (err) => logger.warn({ err }, 'audit.batch_failed'),
  });
}

/** The telemetry service: the AUDIT stream into Postgres, and ListAuditEvents over it. */
export function createApp(config: TelemetryConfig, deps: TelemetryDeps = {}): TelemetryApp {
  const logger = deps.logger ?? createLogger({
    service: 'telemetry',
    level: config.observability.log_level,
    logContent: config.observability.log_content,
  });
  const registry = deps.registry ?? createRegistry({ service: 'telemetry' });
  const metrics = createTelemetryMetrics(registry);
  const stack = new AsyncDisposableStack();
  let state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  let running: Running | undefined;

  async function startAll(): Promise<StartedTelemetry> {
    const { database, store } = await openStore(config, deps, stack);
    const bus = await openBus(config, deps, stack);
    // Edge ensures the stream too, with the same (default) settings; both calls are idempotent.
    await bus.ensureStream({ name: STREAMS.audit, subjects: [SUBJECTS.auditAll] });
    running = { database, store, bus, consumer: undefined };

    const grpc = stack.use(await startGrpcServer(
      [{ service: telemetry.TelemetryService, implementation: implementService(telemetry.TelemetryService, { listAuditEvents: listAuditEvents({ store, logger }) }) }],
      config.grpc.host,
      config.grpc.port,
    ));
    const ops = config.ops.port === -1
      ? undefined
      : stack.use(await startOpsServer({ host: config.ops.host, port: config.ops.port, registry, ready }));
    // Disposed first: the consumer stops after its batch in hand, while the database is still open.
    running.consumer = stack.use(await startConsumer(config, running, logger, metrics));
    if (config.retention_days > 0) {
      stack.use(startRetention({ store, days: config.retention_days, logger, deleted: metrics.retentionDeleted }));
    }
    return { grpcPort: grpc.port, opsPort: ops?.port };
  }

  async function start(): Promise<StartedTelemetry> {
    if (state !== 'new') throw new Error(`telemetry app cannot start: it is ${state}`);
    state = 'starting';
    try {
      const started = await startAll();
      state = 'running';
      return started;
    } catch (err) {
      await dispose();
      throw err;
    }
  }

  async function ready(): Promise<boolean> {
    const r = running;
    if (state !== 'running' || !r) return false;
    try {
      await withTimeout(Promise.all([r.store.ping(), r.bus.ping()]).then(() => undefined), READY_TIMEOUT_MS);
      return true;
    } catch {
      return false;
    }
  }

  async function dispose(): Promise<void> {
    if (state === 'stopping' || state === 'stopped') return;
    state = 'stopping';
    try {
      await stack.disposeAsync();
    } finally {
      running = undefined;
      state = 'stopped';
    }
  }

  return { start, registry, ready, [Symbol.asyncDispose]: dispose };
}
