import { readConfigFile } from '@switchyard/config';
import { createLogger, initTracing } from '@switchyard/obs';
import { createApp } from './app.js';
import { loadEdgeConfig, type EdgeConfig } from './config.js';

function loadConfigOrReport(): EdgeConfig | undefined {
  const env = process.env;
  try {
    const file = env.SWITCHYARD_CONFIG ? readConfigFile(env.SWITCHYARD_CONFIG).edge : undefined;
    return loadEdgeConfig({ file, env });
  } catch (err) {
    createLogger({ service: 'edge' }).fatal({ err }, 'edge.config_invalid');
    return undefined;
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrReport();
  if (config === undefined) {
    process.exitCode = 1;
    return;
  }
  const tracing = initTracing({ serviceName: 'edge', ...(config.observability.otlp_endpoint ? { otlpEndpoint: config.observability.otlp_endpoint } : {}) });
  const app = createApp(config);
  const stop = async (): Promise<void> => {
    await app[Symbol.asyncDispose]();
    await tracing[Symbol.asyncDispose]();
  };
  try {
    const { port, grpcPort } = await app.start();
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    app.logger.info({ url: `http://${host}:${port}`, grpcPort, auth: config.auth, bus: config.backends.nats_url ? 'nats' : 'memory' }, 'edge.started');
  } catch (err) {
    app.logger.fatal({ err }, 'edge.start_failed');
    await stop();
    process.exitCode = 1;
    return;
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    app.logger.info({ signal }, 'edge.stopping');
    stop().then(
      () => app.logger.info({}, 'edge.stopped'),
      (err: unknown) => {
        app.logger.error({ err }, 'edge.stop_failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

await main();
