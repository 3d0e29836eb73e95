import { ConfigError } from '@switchyard/config';
import { createLogger, initTracing } from '@switchyard/obs';
import { createApp } from './app.js';
import { loadLlmProxyConfigFromEnv } from './config.js';

/** Entry: config from SWITCHYARD_CONFIG's `llm_proxy` section and the environment; drains on SIGTERM. */
async function main(): Promise<void> {
  const config = loadLlmProxyConfigFromEnv();
  const logger = createLogger({ service: 'llm-proxy', level: config.observability.log_level, logContent: config.observability.log_content });
  const tracing = initTracing({ serviceName: 'llm-proxy', ...(config.observability.otlp_endpoint ? { otlpEndpoint: config.observability.otlp_endpoint } : {}) });
  const app = createApp(config, { logger });
  const { grpcPort, opsPort } = await app.start();
  logger.info({ grpcPort, opsPort, providers: config.providers.map((p) => p.id) }, 'llm-proxy.started');
  if (config.providers.length === 0) logger.warn({}, 'llm-proxy.no_providers');

  const stop = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal: stop }, 'llm-proxy.stopping');
  await app[Symbol.asyncDispose]();
  await tracing[Symbol.asyncDispose]();
  logger.info({}, 'llm-proxy.stopped');
}

main().catch((err: unknown) => {
  const logger = createLogger({ service: 'llm-proxy' });
  if (err instanceof ConfigError) logger.fatal({ issues: err.issues }, 'llm-proxy.config_invalid');
  else logger.fatal({ err }, 'llm-proxy.failed');
  process.exitCode = 1;
});
