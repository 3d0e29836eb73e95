import { createBus, type Bus } from '@switchyard/bus';
import { createDb, migrate, type Database, type DbOptions } from '@switchyard/db';
import { createLogger, createRegistry, type Logger, type Registry } from '@switchyard/obs';
import { startGrpcServer } from '@switchyard/proto';
import { BusPolicyPublisher } from './adapters/bus/bus-policy-publisher.js';
import { migrations } from './adapters/pg/migrations/index.js';
import { PgCustomerStore } from './adapters/pg/pg-customer-store.js';
import { PgKeyStore } from './adapters/pg/pg-key-store.js';
import { PgEntityDirectory } from './adapters/pg/pg-entity-directory.js';
import { PgLimitStore } from './adapters/pg/pg-limit-store.js';
import { PgTeamStore } from './adapters/pg/pg-team-store.js';
import { PgToolGroupStore } from './adapters/pg/pg-tool-group-store.js';
import { PgUsageLedger } from './adapters/pg/pg-usage-ledger.js';
import { startUsageConsumer } from './server/nats/usage-consumer.js';
import type { GovernanceTables } from './adapters/pg/schema.js';
import type { GovernanceConfig } from './config.js';
import { CustomerService, KeyService, LimitsService, TeamService, ToolGroupService } from './domain/index.js';
import { createMetrics } from './metrics.js';
import { governanceServiceBinding } from './server/grpc/governance-service.js';
import { startOpsServer } from '@switchyard/obs';

/** An embedded PGlite instance (the all-in-one runner shares one across services). */
export type PGlite = NonNullable<DbOptions['pglite']>;

export interface GovernanceDeps {
  logger?: Logger;
  registry?: Registry;
  /** A bus the caller owns (all-in-one, tests): used, never disposed by the app. */
  bus?: Bus;
  /** Embedded database shared in-process; used when `backends.database_url` is unset. */
  pglite?: PGlite;
  /** The clock (tests). */
  now?: () => Date;
}

export interface StartedGovernance {
  grpcPort: number;
  /** Undefined when the ops server is disabled (`ops.port: -1`). */
  opsPort: number | undefined;
}

export interface GovernanceApp extends AsyncDisposable {
  /** Opens the database (migrating it), connects the bus, and serves gRPC and ops HTTP. */
  start(): Promise<StartedGovernance>;
  registry: Registry;
  /** Started, and the database and the bus both answer. */
  ready(): Promise<boolean>;
}

interface Running {
  database: Database<GovernanceTables>;
  bus: Bus;
  keys: KeyService;
}

/** The governance service, wired: Postgres (or PGlite) keys, PolicyChanged on the bus, gRPC and ops HTTP. */
export function createApp(config: GovernanceConfig, deps: GovernanceDeps = {}): GovernanceApp {
  const logger = deps.logger ?? createLogger({ service: 'governance', level: config.observability.log_level, logContent: config.observability.log_content });
  const registry = deps.registry ?? createRegistry({ service: 'governance' });
  const resources = new AsyncDisposableStack();
  let running: Running | undefined;
  let starting: Promise<StartedGovernance> | undefined;
  const metrics = createMetrics(registry, async () => (running ? running.keys.count() : undefined));

  async function ready(): Promise<boolean> {
    if (!running) return false;
    try {
      await Promise.all([running.database.ping(), running.bus.ping()]);
      return true;
    } catch (err) {
      logger.warn({ err }, 'governance.not_ready');
      return false;
    }
  }

  async function open(): Promise<StartedGovernance> {
    const { backends } = config;
    const database = await createDb<GovernanceTables>({ url: backends.database_url, schema: backends.database_schema, ...(deps.pglite ? { pglite: deps.pglite } : {}) });
    resources.use(database);
    const applied = await migrate(database, 'governance', migrations);
    if (applied.length > 0) logger.info({ migrations: applied, schema: database.schema, kind: database.kind }, 'governance.migrated');

    const bus = deps.bus ?? resources.use(await createBus({ url: backends.nats_url, prefix: backends.subject_prefix, name: 'switchyard-governance' }));
    const publisher = new BusPolicyPublisher({ bus, logger, events: metrics.policyEvents });
    const clock = deps.now ? { now: deps.now } : {};
    const customerStore = new PgCustomerStore(database.db);
    const teamStore = new PgTeamStore(database.db);
    const groupStore = new PgToolGroupStore(database.db);
    const keys = new KeyService({ store: new PgKeyStore(database.db), publisher, teams: teamStore, customers: customerStore, chains: groupStore, ...clock });
    const customers = new CustomerService({ store: customerStore, publisher, ...clock });
    const teams = new TeamService({ store: teamStore, customers: customerStore, publisher, ...clock });
    const toolGroups = new ToolGroupService({ store: groupStore, publisher, ...clock });
    const limits = new LimitsService({ store: new PgLimitStore(database.db), entities: new PgEntityDirectory(database.db), publisher, ...clock });
    const ledger = new PgUsageLedger(database.db);
    const usage = await startUsageConsumer({ bus, ledger, logger, events: metrics.usageEvents });
    resources.defer(() => usage.stop());

    const binding = governanceServiceBinding({ keys, customers, teams, toolGroups, limits, ledger, logger, rpcSeconds: metrics.rpcSeconds });
    const grpc = resources.use(await startGrpcServer([binding], config.grpc.host, config.grpc.port));
    running = { database, bus, keys };
    let opsPort: number | undefined;
    if (config.ops.port !== -1) {
      const ops = resources.use(await startOpsServer({ host: config.ops.host, port: config.ops.port, registry, ready }));
      opsPort = ops.port;
    }
    // Stop answering readiness first on the way down.
    resources.defer(() => { running = undefined; });
    return { grpcPort: grpc.port, opsPort };
  }

  return {
    registry,
    ready,
    start(): Promise<StartedGovernance> {
      starting ??= open().catch(async (err: unknown) => {
        running = undefined;
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
