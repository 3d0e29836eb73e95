import { z } from 'zod';
import { configFileSection, fragments, loadConfig, type Env, type ServiceConfigOptions } from '@switchyard/config';

/** Rows per insert are bounded by Postgres' 65,535 bind parameters (19 columns a row). */
const MAX_BATCH = 3_000;

export const telemetryConfigSchema = z
  .object({
    grpc: fragments.grpcEndpoint(50053),
    /** The ops HTTP server (/healthz, /readyz, /metrics); port -1 disables it (all-in-one). */
    ops: fragments.opsEndpoint(),
    backends: fragments.backends.prefault({}),
    observability: fragments.observability.prefault({}),
    batch: z
      .object({
        /** Up to this many events per insert. */
        max_size: z.number().int().min(1).max(MAX_BATCH).default(500),
        /** How long to wait to fill a batch. */
        max_wait_ms: z.number().int().min(1).max(60_000).default(200),
        /** After a failed batch (database down), redelivery waits this long. */
        retry_delay_ms: z.number().int().min(0).max(600_000).default(1_000),
      })
      .strict()
      .prefault({}),
    /** Events older than this many days are deleted (hourly); 0 keeps them forever. */
    retention_days: z.number().int().min(0).default(30),
  })
  .strict();

export type TelemetryConfig = z.output<typeof telemetryConfigSchema>;

/** `file` is the `telemetry` section of switchyard.yaml. */
export type LoadTelemetryConfigOptions = ServiceConfigOptions;

function envOverrides(env: Env): unknown {
  return {
    ...fragments.serviceEnv(env, 'TELEMETRY'),
    backends: { database_url: env.DATABASE_URL || undefined, nats_url: env.NATS_URL || undefined },
    observability: fragments.observabilityEnv(env),
  };
}

/** Defaults < the file's `telemetry` section < environment < overrides; strict. */
export function loadTelemetryConfig(options: LoadTelemetryConfigOptions): TelemetryConfig {
  return loadConfig(telemetryConfigSchema, {
    file: options.file,
    env: envOverrides(options.env),
    overrides: options.overrides,
    source: 'telemetry',
  });
}

/** The process's config: the `telemetry` section of the file named by SWITCHYARD_CONFIG, then the environment. */
export function loadTelemetryConfigFromProcess(env: Env = process.env): TelemetryConfig {
  return loadTelemetryConfig({ file: configFileSection(env, 'telemetry'), env });
}
