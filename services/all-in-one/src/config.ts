import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, envList, formatIssues, readConfigFile, type Env } from '@switchyard/config';

export const SERVICE_NAMES = ['edge', 'llm-proxy', 'governance', 'telemetry', 'mcp-connector'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * switchyard.yaml: one section per service, the same file every service reads (the
 * Helm ConfigMap mounts it into each pod). Each service validates its own section
 * strictly; here only the top level is checked.
 */
const fileSchema = z
  .object({
    edge: z.record(z.string(), z.unknown()).optional(),
    llm_proxy: z.record(z.string(), z.unknown()).optional(),
    governance: z.record(z.string(), z.unknown()).optional(),
    telemetry: z.record(z.string(), z.unknown()).optional(),
    mcp_connector: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type SwitchyardFile = z.output<typeof fileSchema>;

export interface AllInOneOptions {
  file: SwitchyardFile;
  /** Where the file came from, for messages. */
  source: string | undefined;
  /** The services this process runs (all by default). */
  services: ServiceName[];
  /** PGlite data directory when DATABASE_URL is unset (`memory://` keeps nothing). */
  dataDir: string;
  /**
   * How the services of this process call each other: `grpc` (default: gRPC, HTTP/2
   * exactly as between pods, over Unix domain sockets in a private temporary directory),
   * `grpc-tcp` (the same over TCP on 127.0.0.1) or `in-process` (the same typed clients
   * call the handlers directly; no serialisation, no socket).
   */
  internalTransport: InternalTransport;
}

export const INTERNAL_TRANSPORTS = ['grpc', 'grpc-tcp', 'in-process'] as const;
export type InternalTransport = (typeof INTERNAL_TRANSPORTS)[number];

/** Reads SWITCHYARD_CONFIG (or ./switchyard.yaml when present) and the runner's own variables. */
export function loadAllInOneOptions(env: Env, cwd = process.cwd()): AllInOneOptions {
  const explicit = env.SWITCHYARD_CONFIG;
  const fallback = resolve(cwd, 'switchyard.yaml');
  const path = explicit ? resolve(cwd, explicit) : existsSync(fallback) ? fallback : undefined;
  const raw = path ? readConfigFile(path) : {};
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(path ?? 'switchyard.yaml', formatIssues(parsed.error));
  const services = envList(env, 'SWITCHYARD_SERVICES') ?? [...SERVICE_NAMES];
  const unknown = services.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new ConfigError('SWITCHYARD_SERVICES', [`unknown service(s): ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`]);
  const transport = env.SWITCHYARD_INTERNAL_TRANSPORT ?? 'grpc';
  if (!(INTERNAL_TRANSPORTS as readonly string[]).includes(transport)) {
    throw new ConfigError('SWITCHYARD_INTERNAL_TRANSPORT', [`"${transport}" is not one of ${INTERNAL_TRANSPORTS.join(', ')}`]);
  }
  return {
    file: parsed.data,
    internalTransport: transport as InternalTransport,
    source: path,
    services: services as ServiceName[],
    dataDir: env.SWITCHYARD_DATA_DIR ?? resolve(cwd, '.switchyard', 'data'),
  };
}
