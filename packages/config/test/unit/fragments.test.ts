import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, fragments, loadConfig } from '../../src/index.js';

const schema = z.object({ grpc: fragments.grpcEndpoint(50099), ops: fragments.opsEndpoint() }).strict();

describe('endpoint fragments', () => {
  it('default to 127.0.0.1, the given gRPC port and ops on 9090', () => {
    expect(loadConfig(schema, {})).toEqual({ grpc: { host: '127.0.0.1', port: 50099 }, ops: { host: '127.0.0.1', port: 9090 } });
  });

  it('let -1 disable ops but not gRPC, and name the bad path', () => {
    expect(loadConfig(schema, { file: { ops: { port: -1 } } }).ops.port).toBe(-1);
    expect(() => loadConfig(schema, { file: { grpc: { port: -1 } } })).toThrow(/grpc\.port/);
    expect(() => loadConfig(schema, { file: { ops: { port: 70_000 } } })).toThrow(/ops\.port/);
    expect(() => loadConfig(schema, { file: { ops: { prot: 1 } } })).toThrow(ConfigError);
  });
});

describe('grpcAddress', () => {
  it('takes host:port and unix:/absolute/path, nothing else', () => {
    for (const ok of ['127.0.0.1:50051', 'llm-proxy.switchyard.svc:50051', 'unix:/tmp/switchyard-grpc-x/llm-proxy.sock']) expect(fragments.grpcAddress.parse(ok)).toBe(ok);
    for (const bad of ['127.0.0.1', 'unix:relative.sock', 'unix:', 'http://x:1']) expect(() => fragments.grpcAddress.parse(bad)).toThrow(/host:port or unix/);
  });
});

describe('serviceEnv', () => {
  it('maps SWITCHYARD_<SERVICE>_{GRPC,OPS}_{HOST,PORT}, empty as unset', () => {
    const env = { SWITCHYARD_X_Y_GRPC_HOST: '0.0.0.0', SWITCHYARD_X_Y_GRPC_PORT: '7000', SWITCHYARD_X_Y_OPS_HOST: '', SWITCHYARD_X_Y_OPS_PORT: '-1' };
    expect(fragments.serviceEnv(env, 'X_Y')).toEqual({ grpc: { host: '0.0.0.0', port: 7000 }, ops: { host: undefined, port: -1 } });
    expect(loadConfig(schema, { env: fragments.serviceEnv(env, 'X_Y') })).toEqual({
      grpc: { host: '0.0.0.0', port: 7000 },
      ops: { host: '127.0.0.1', port: -1 },
    });
  });

  it('turns a non-numeric port into a schema error at its path', () => {
    expect(() => loadConfig(schema, { env: fragments.serviceEnv({ SWITCHYARD_X_OPS_PORT: 'abc' }, 'X') })).toThrow(/ops\.port/);
  });
});
