import { describe, it, expect } from 'vitest';
import { ConfigError } from '@switchyard/config';
import { loadTelemetryConfig } from '../../src/config.js';

describe('telemetry config', () => {
  it('has working defaults', () => {
    const c = loadTelemetryConfig({ env: {} });
    expect(c.grpc).toEqual({ host: '127.0.0.1', port: 50053 });
    expect(c.ops).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(c.batch).toEqual({ max_size: 500, max_wait_ms: 200, retry_delay_ms: 1000 });
    expect(c.retention_days).toBe(30);
    expect(c.backends.database_url).toBeUndefined();
    expect(c.backends.nats_url).toBeUndefined();
    expect(c.observability.log_level).toBe('info');
  });

  it('takes the file, then the environment over it, then overrides', () => {
    const c = loadTelemetryConfig({
      file: { grpc: { port: 1 }, batch: { max_size: 100 }, retention_days: 7, backends: { nats_url: 'nats://file:4222' } },
      env: {
        SWITCHYARD_TELEMETRY_GRPC_HOST: '0.0.0.0', SWITCHYARD_TELEMETRY_GRPC_PORT: '6000', SWITCHYARD_TELEMETRY_OPS_PORT: '-1',
        DATABASE_URL: 'postgres://db/x', NATS_URL: 'nats://env:4222', LOG_LEVEL: 'debug',
      },
      overrides: { batch: { max_wait_ms: 10 } },
    });
    expect(c.grpc).toEqual({ host: '0.0.0.0', port: 6000 });
    expect(c.ops.port).toBe(-1);
    expect(c.backends.database_url).toBe('postgres://db/x');
    expect(c.backends.nats_url).toBe('nats://env:4222');
    expect(c.observability.log_level).toBe('debug');
    expect(c.batch).toEqual({ max_size: 100, max_wait_ms: 10, retry_delay_ms: 1000 });
    expect(c.retention_days).toBe(7);
  });

  it('fails at boot on a typo or a bad value, naming its path', () => {
    expect(() => loadTelemetryConfig({ file: { batch: { max_sise: 1 } }, env: {} })).toThrow(/batch/);
    expect(() => loadTelemetryConfig({ file: { batch: { max_size: 100_000 } }, env: {} })).toThrow(ConfigError);
    expect(() => loadTelemetryConfig({ env: { SWITCHYARD_TELEMETRY_GRPC_PORT: 'abc' } })).toThrow(/grpc\.port/);
    expect(() => loadTelemetryConfig({ file: { retention_days: -1 }, env: {} })).toThrow(/retention_days/);
  });
});
