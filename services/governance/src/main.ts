import { once } from 'node:events';
import { createLogger, initTracing } from '@switchyard/obs';
import { createApp } from './app.js';
import { governanceConfigFromEnvironment } from './config.js';

async function main(): Promise<void> {
  const config = governanceConfigFromEnvironment();
  const logger = createLogger({ service: 'governance', level: config.observability.log_level, logContent: config.observability.log_content });
  await using _tracing = initTracing({ serviceName: 'governance', ...(config.observability.otlp_endpoint ? { otlpEndpoint: config.observability.otlp_endpoint } : {}) });
  await using app = createApp(config, { logger });
  const { grpcPort, opsPort } = await app.start();
  logger.info({ grpcPort, opsPort, embeddedDb: config.backends.database_url === undefined, embeddedBus: config.backends.nats_url === undefined }, 'governance.started');

  const signal = await Promise.race([once(process, 'SIGTERM').then(() => 'SIGTERM'), once(process, 'SIGINT').then(() => 'SIGINT')]);
  logger.info({ signal }, 'governance.stopping');
}

main().then(
  () => { process.exitCode = 0; },
  (err: unknown) => {
    createLogger({ service: 'governance' }).fatal({ err }, 'governance.failed');
    process.exitCode = 1;
  },
);
