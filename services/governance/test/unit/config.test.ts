import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchyard/config';
import { loadGovernanceConfig } from '../../src/index.js';

describe('governance config', () => {
  it('has working defaults with nothing configured (embedded mode)', () => {
    const config = loadGovernanceConfig({ env: {} });
    expect(config.grpc).toEqual({ host: '127.0.0.1', port: 50052 });
    expect(config.ops).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(config.backends.database_url).toBeUndefined();
    expect(config.backends.nats_url).toBeUndefined();
    expect(config.backends.database_schema).toBe('public');
    expect(config.observability.log_level).toBe('info');
  });

  it('layers defaults < file < environment < overrides', () => {
    const config = loadGovernanceConfig({
      file: { grpc: { host: '0.0.0.0', port: 6000 }, ops: { port: 9100 }, backends: { database_schema: 'gov' } },
      env: {
        SWITCHYARD_GOVERNANCE_GRPC_PORT: '7000',
        SWITCHYARD_GOVERNANCE_OPS_PORT: '-1',
        DATABASE_URL: 'postgres://db/x',
        NATS_URL: 'nats://bus:4222',
        LOG_LEVEL: 'debug',
      },
      overrides: { backends: { subject_prefix: 'blue.' } },
    });
    expect(config.grpc).toEqual({ host: '0.0.0.0', port: 7000 });
    expect(config.ops.port).toBe(-1);
    expect(config.backends).toMatchObject({ database_url: 'postgres://db/x', nats_url: 'nats://bus:4222', subject_prefix: 'blue.', database_schema: 'gov' });
    expect(config.observability.log_level).toBe('debug');
  });

  it('takes SWITCHYARD_GOVERNANCE_GRPC_HOST', () => {
    expect(loadGovernanceConfig({ env: { SWITCHYARD_GOVERNANCE_GRPC_HOST: '0.0.0.0' } }).grpc.host).toBe('0.0.0.0');
  });

  it('fails on an unknown key, naming its path', () => {
    expect(() => loadGovernanceConfig({ file: { grpc: { prot: 1 } }, env: {} })).toThrow(/grpc/);
    expect(() => loadGovernanceConfig({ file: { teams: { enabled: true } }, env: {} })).toThrow(ConfigError);
  });

  it('fails on a non-numeric port from the environment', () => {
    expect(() => loadGovernanceConfig({ env: { SWITCHYARD_GOVERNANCE_GRPC_PORT: 'abc' } })).toThrow(/grpc\.port/);
  });
});
