import { z } from 'zod';
import { configFileSection, fragments, loadConfig, type Env, type ServiceConfigOptions } from '@switchyard/config';

export const governanceConfigSchema = z
  .object({
    /** The gRPC server (GovernanceService); port 0 picks a free one. */
    grpc: fragments.grpcEndpoint(50052),
    /** The ops HTTP server (/healthz, /readyz, /metrics); port -1 disables it (all-in-one). */
    ops: fragments.opsEndpoint(),
    /** Postgres (unset: embedded PGlite) and NATS (unset: the in-process bus). */
    backends: fragments.backends.prefault({}),
    observability: fragments.observability.prefault({}),
  })
  .strict();

export type GovernanceConfig = z.output<typeof governanceConfigSchema>;

/** `file` is the `governance` section of switchyard.yaml. */
export type LoadGovernanceConfigOptions = ServiceConfigOptions;

/** The environment variables this service reads, mapped to the schema's shape. */
function envOverrides(env: Env): unknown {
  return {
    ...fragments.serviceEnv(env, 'GOVERNANCE'),
    backends: { database_url: env.DATABASE_URL || undefined, nats_url: env.NATS_URL || undefined },
    observability: fragments.observabilityEnv(env),
  };
}

/** Defaults < the file's `governance` section < environment < overrides; strict (a typo fails with its path). */
export function loadGovernanceConfig(options: LoadGovernanceConfigOptions): GovernanceConfig {
  return loadConfig(governanceConfigSchema, {
    file: options.file,
    env: envOverrides(options.env),
    overrides: options.overrides,
    source: 'governance',
  });
}

/** The config `main.ts` runs with: the `governance` section of `$SWITCHYARD_CONFIG` (if set) and the environment. */
export function governanceConfigFromEnvironment(env: Env = process.env): GovernanceConfig {
  return loadGovernanceConfig({ file: configFileSection(env, 'governance'), env });
}
