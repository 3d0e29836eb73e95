import { z } from 'zod';
import { envInt } from './env.js';
import type { Env } from './load.js';

export const port = z.number().int().min(0).max(65535);
/** A port, or -1 to disable the listener (the all-in-one runner, tests). */
export const optionalPort = z.number().int().min(-1).max(65535);
export const host = z.string().min(1);
export const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
export const url = z.string().url();
/** host:port of another service's gRPC server, or `unix:<absolute path>` of its Unix domain socket. */
export const grpcAddress = z.string().regex(/^(?:[^:\s]+:\d+|unix:\/\S+)$/, 'expected host:port or unix:/path');

/** A service's gRPC server: `{ host, port }`, 127.0.0.1 by default; port 0 picks a free one. */
export function grpcEndpoint(defaultPort: number) {
  return z.object({ host: host.default('127.0.0.1'), port: port.default(defaultPort) }).strict().prefault({});
}

/** The ops HTTP server (/healthz, /readyz, /metrics): `{ host, port }`; port -1 disables it (all-in-one). */
export function opsEndpoint(defaultPort = 9090) {
  return z.object({ host: host.default('127.0.0.1'), port: optionalPort.default(defaultPort) }).strict().prefault({});
}

export interface EndpointEnv {
  host: string | undefined;
  port: number | undefined;
}

/**
 * The env mapping of `grpcEndpoint` and `opsEndpoint`: SWITCHYARD_<SERVICE>_GRPC_HOST,
 * _GRPC_PORT, _OPS_HOST and _OPS_PORT. Empty is unset; a non-integer port fails the
 * schema at `grpc.port` / `ops.port`.
 */
export function serviceEnv(env: Env, service: Uppercase<string>): { grpc: EndpointEnv; ops: EndpointEnv } {
  const prefix = `SWITCHYARD_${service}_`;
  return {
    grpc: { host: env[`${prefix}GRPC_HOST`] || undefined, port: envInt(env, `${prefix}GRPC_PORT`) },
    ops: { host: env[`${prefix}OPS_HOST`] || undefined, port: envInt(env, `${prefix}OPS_PORT`) },
  };
}

/** The observability settings every service takes from the environment: LOG_LEVEL and the standard OTLP traces endpoint. */
export function observabilityEnv(env: Env): { log_level: string | undefined; otlp_endpoint: string | undefined } {
  return { log_level: env.LOG_LEVEL || undefined, otlp_endpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined };
}

export const observability = z
  .object({
    log_level: logLevel.default('info'),
    /** Log prompt and completion content (off by default). */
    log_content: z.boolean().default(false),
    /** OTLP/HTTP traces endpoint; unset disables export. */
    otlp_endpoint: url.optional(),
  })
  .strict();

/** Where state lives; unset means embedded (PGlite, in-process bus, in-memory counters). */
export const backends = z
  .object({
    database_url: z.string().optional(),
    redis_url: z.string().optional(),
    nats_url: z.string().optional(),
    /** Prefix for every Redis key (tests, deployments sharing one Redis). */
    redis_key_prefix: z.string().default(''),
    /** Prefix for NATS subjects and streams (tests, shared clusters). */
    subject_prefix: z.string().default(''),
    /** Postgres schema for this deployment's tables. */
    database_schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public'),
  })
  .strict();

export type Backends = z.output<typeof backends>;
export type Observability = z.output<typeof observability>;
