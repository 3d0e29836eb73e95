import { createLogger, createRegistry, type Logger, type Registry } from '@switchyard/obs';
import { startGrpcServer, type GrpcServerHandle } from '@switchyard/proto';
import { createHttpClient } from './adapters/http/client.js';
import { observabilityHook } from './adapters/observability/hook.js';
import { createLlmMetrics } from './adapters/observability/metrics.js';
import { tracedUpstream } from './adapters/observability/tracing.js';
import { chatUrl, createProviderUpstream, type ProviderEndpoint } from './adapters/providers/upstream.js';
import type { LlmProxyConfig, ProviderConfig } from './config.js';
import { createChatService } from './domain/chat-service.js';
import type { Hook } from './domain/pipeline.js';
import { realSleep, type Random, type Sleep } from './domain/ports.js';
import type { RoutingTable } from './domain/routing.js';
import type { Provider } from './domain/types.js';
import { startOpsServer, type OpsServer } from '@switchyard/obs';
import { llmProxyBinding } from './server/grpc/service.js';

export interface AppDeps {
  logger?: Logger;
  /** Share one registry (the all-in-one serves /metrics itself). */
  registry?: Registry;
  /** Pipeline hooks after the built-in observability hook (governance plugs in here). */
  hooks?: readonly Hook[];
  /** Tests: deterministic key choice, jitter and backoff. */
  random?: Random;
  sleep?: Sleep;
}

export interface LlmProxyApp extends AsyncDisposable {
  /** Binds gRPC and (unless ops.port is -1) the ops server; ports are the bound ones (port 0 allowed). */
  start(): Promise<{ grpcPort: number; opsPort: number }>;
  /** Serving and not shutting down. */
  ready(): boolean;
  registry: Registry;
}

function toProvider(p: ProviderConfig): Provider {
  return {
    id: p.id,
    kind: p.kind,
    keys: p.keys.map((k) => {
      if (k.value === undefined) throw new Error(`llm_proxy: key ${p.id}/${k.name} has no value (value_env is resolved by loadLlmProxyConfig)`);
      return { name: k.name, value: k.value, weight: k.weight, ...(k.models ? { models: k.models } : {}) };
    }),
    retry: { maxRetries: p.max_retries, backoffInitialMs: p.retry_backoff_initial_ms, backoffMaxMs: p.retry_backoff_max_ms },
    timeoutMs: p.timeout_ms,
    models: p.models ?? [],
  };
}

function toEndpoint(p: ProviderConfig): ProviderEndpoint {
  return {
    id: p.id,
    kind: p.kind,
    chatUrl: chatUrl(p.base_url, p.kind),
    headers: p.headers ?? {},
    options: p.anthropic_version ? { anthropicVersion: p.anthropic_version } : {},
    connections: p.connections,
  };
}

/** The composition root: config in, a startable and disposable service out. */
export function createApp(config: LlmProxyConfig, deps: AppDeps = {}): LlmProxyApp {
  const logger = deps.logger ?? createLogger({ service: 'llm-proxy', level: config.observability.log_level, logContent: config.observability.log_content });
  const registry = deps.registry ?? createRegistry({ service: 'llm-proxy', defaultMetrics: config.ops.port !== -1 });
  const metrics = createLlmMetrics(registry);
  const table: RoutingTable = {
    providers: new Map(config.providers.map((p) => [p.id, toProvider(p)])),
    fallbacks: Object.entries(config.fallbacks).map(([pattern, targets]) => ({ pattern, targets })),
  };
  const http = createHttpClient();
  const upstream = tracedUpstream(createProviderUpstream({
    http,
    endpoints: new Map(config.providers.map((p) => [p.id, toEndpoint(p)])),
    ctx: { warn: (event, fields) => logger.info(fields, event) },
  }));
  const chat = createChatService({
    upstream,
    hooks: [observabilityHook(logger, metrics), ...(deps.hooks ?? [])],
    reportHookError: (hook, phase, err) => logger.warn({ hook, phase, err }, 'hook.failed_open'),
    random: deps.random ?? Math.random,
    sleep: deps.sleep ?? realSleep,
    events: metrics.events,
    now: () => performance.now(),
  });

  let grpc: GrpcServerHandle | undefined;
  let ops: OpsServer | undefined;
  let serving = false;

  return {
    registry,
    ready: () => serving,
    async start() {
      if (grpc) return { grpcPort: grpc.port, opsPort: ops?.port ?? -1 };
      const binding = llmProxyBinding({ chat, table, logger, metrics, createdAt: Math.floor(Date.now() / 1000) });
      grpc = await startGrpcServer([binding], config.grpc.host, config.grpc.port);
      if (config.ops.port !== -1) {
        ops = await startOpsServer({ host: config.ops.host, port: config.ops.port, registry, ready: () => serving });
      }
      serving = true;
      return { grpcPort: grpc.port, opsPort: ops?.port ?? -1 };
    },
    async [Symbol.asyncDispose]() {
      serving = false;
      // Drain: in-flight calls (streams included) finish within the grace period, then are cancelled.
      await grpc?.shutdown(config.shutdown_grace_ms);
      await ops?.[Symbol.asyncDispose]();
      await http[Symbol.asyncDispose]();
      grpc = undefined;
      ops = undefined;
    },
  };
}
