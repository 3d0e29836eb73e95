import { once } from 'node:events';
import { createLogger, initTracing } from '@switchyard/obs';
import { createApp } from './app.js';
import { mcpConnectorConfigFromEnvironment } from './config.js';

async function main(): Promise<void> {
  const config = mcpConnectorConfigFromEnvironment();
  const logger = createLogger({ service: 'mcp-connector', level: config.observability.log_level, logContent: config.observability.log_content });
  await using _tracing = initTracing({ serviceName: 'mcp-connector', ...(config.observability.otlp_endpoint ? { otlpEndpoint: config.observability.otlp_endpoint } : {}) });
  await using app = createApp(config, { logger });
  const { grpcPort, opsPort } = await app.start();
  logger.info({ grpcPort, opsPort, clients: config.clients.length, embeddedBus: config.backends.nats_url === undefined }, 'mcp_connector.started');

  const signal = await Promise.race([once(process, 'SIGTERM').then(() => 'SIGTERM'), once(process, 'SIGINT').then(() => 'SIGINT')]);
  logger.info({ signal }, 'mcp_connector.stopping');
}

main().then(
  () => { process.exitCode = 0; },
  (err: unknown) => {
    createLogger({ service: 'mcp-connector' }).fatal({ err }, 'mcp_connector.failed');
    process.exitCode = 1;
  },
);
