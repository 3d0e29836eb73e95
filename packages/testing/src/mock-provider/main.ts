#!/usr/bin/env node
// node packages/testing/dist/mock-provider/main.js [--port 9999] [--host 127.0.0.1] [--latency-ms 0] [--no-record] [--valid-key K ...]
import { parseArgs } from 'node:util';
import { startMockProvider } from './server.js';

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'latency-ms': { type: 'string' },
      'no-record': { type: 'boolean', default: false },
      'valid-key': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const mock = await startMockProvider({
    port: int('port', values.port ?? process.env['PORT'], 9999),
    host: values.host,
    latencyMs: int('latency-ms', values['latency-ms'], 0),
    record: !values['no-record'],
    ...(values['valid-key'] ? { validKeys: values['valid-key'] } : {}),
  });
  process.stdout.write(`mock-provider listening on ${mock.url}\n`);
  const stop = (): void => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    void mock.close();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`mock-provider: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
