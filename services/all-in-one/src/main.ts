import { initTracing } from '@switchyard/obs';
import { ConfigError } from '@switchyard/config';
import { loadAllInOneOptions } from './config.js';
import { createAllInOne } from './app.js';

async function main(): Promise<void> {
  const options = loadAllInOneOptions(process.env);
  const tracing = initTracing({ serviceName: 'switchyard', ...(process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? { otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT } : {}) });
  const app = await createAllInOne(options, process.env);
  app.logger.info({ url: app.url, services: options.services, transport: options.internalTransport, config: options.source ?? '(none: embedded defaults)', storage: process.env.DATABASE_URL ? 'postgres' : `pglite:${options.dataDir}`, bus: app.bus.kind }, 'switchyard.started');
  if (app.url) process.stdout.write(`Switchyard is listening on ${app.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'switchyard.stopping');
    void Promise.resolve(app[Symbol.asyncDispose]()).then(() => tracing[Symbol.asyncDispose]()).finally(() => { process.exitCode = 0; });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `switchyard failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
