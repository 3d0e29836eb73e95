import { createLogger, initTracing } from '@switchyard/obs';
import { createApp } from './app.js';
import { loadTelemetryConfigFromProcess } from './config.js';

const config = loadTelemetryConfigFromProcess();
const logger = createLogger({ service: 'telemetry', level: config.observability.log_level, logContent: config.observability.log_content });
const tracing = initTracing({ serviceName: 'telemetry', ...(config.observability.otlp_endpoint ? { otlpEndpoint: config.observability.otlp_endpoint } : {}) });
const app = createApp(config, { logger });

let stopping: Promise<void> | undefined;
function shutdown(signal: string): Promise<void> {
  stopping ??= (async () => {
    logger.info({ signal }, 'telemetry.stopping');
    // Stops consuming after the batch in hand (acked or left for redelivery), then closes gRPC and the database.
    await app[Symbol.asyncDispose]();
    await tracing[Symbol.asyncDispose]();
    logger.info('telemetry.stopped');
  })();
  return stopping;
}

process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

try {
  const { grpcPort, opsPort } = await app.start();
  logger.info({ grpcPort, opsPort, retentionDays: config.retention_days }, 'telemetry.started');
} catch (err) {
  logger.fatal({ err }, 'telemetry.start_failed');
  process.exitCode = 1;
  await shutdown('start_failed');
}
