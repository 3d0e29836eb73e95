import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { loadEdgeConfig } from '../../src/config.js';

describe('edge config', () => {
  it('has the documented defaults', () => {
    const c = loadEdgeConfig({ env: {} });
    expect(c).toMatchObject({
      host: '127.0.0.1', port: 8080, auth: 'optional', body_limit_bytes: 4 * 1024 * 1024, upstream_timeout_ms: 120_000,
      llm_proxy_addr: '127.0.0.1:50051', governance_addr: '127.0.0.1:50052', telemetry_addr: '127.0.0.1:50053',
      grpc: { host: '127.0.0.1', port: 50050 },
      policy_cache: { ttl_ms: 60_000, negative_ttl_ms: 5_000, max_entries: 100_000, auth_state_refresh_ms: 10_000 },
      audit: { max_buffered: 10_000, log_content: false }, shutdown_grace_ms: 10_000,
    });
    expect(c.admin_token).toBeUndefined();
  });

  it('maps the environment, which wins over the file', () => {
    const c = loadEdgeConfig({
      file: { port: 1234, auth: 'optional' },
      env: {
        SWITCHYARD_EDGE_HOST: '0.0.0.0', PORT: '9000', SWITCHYARD_EDGE_AUTH: 'required', SWITCHYARD_ADMIN_TOKEN: 'tok',
        SWITCHYARD_EDGE_BODY_LIMIT_BYTES: '1024', SWITCHYARD_EDGE_LLM_PROXY_ADDR: 'llm:1', SWITCHYARD_EDGE_GOVERNANCE_ADDR: 'gov:2',
        SWITCHYARD_EDGE_TELEMETRY_ADDR: 'tel:3', SWITCHYARD_EDGE_GRPC_PORT: '-1', NATS_URL: 'nats://n:4222', LOG_LEVEL: 'debug',
      },
    });
    expect(c).toMatchObject({
      host: '0.0.0.0', port: 9000, auth: 'required', admin_token: 'tok', body_limit_bytes: 1024, llm_proxy_addr: 'llm:1',
      governance_addr: 'gov:2', telemetry_addr: 'tel:3', grpc: { port: -1 }, backends: { nats_url: 'nats://n:4222' },
      observability: { log_level: 'debug' },
    });
  });

  it('SWITCHYARD_EDGE_PORT wins over PORT; overrides win over everything', () => {
    expect(loadEdgeConfig({ env: { PORT: '1', SWITCHYARD_EDGE_PORT: '2' } }).port).toBe(2);
    expect(loadEdgeConfig({ env: {} }).mcp.enabled).toBe(true);
    expect(loadEdgeConfig({ env: { SWITCHYARD_EDGE_MCP_ENABLED: 'false' } }).mcp.enabled).toBe(false);
    expect(loadEdgeConfig({ env: { SWITCHYARD_EDGE_PORT: '2' }, overrides: { port: 0 } }).port).toBe(0);
  });

  it('reads the /mcp session secret and allowed origins (a short secret fails)', () => {
    const secret = 'x'.repeat(32);
    expect(loadEdgeConfig({ env: {} }).mcp.session_secret).toBeUndefined();
    expect(loadEdgeConfig({ env: {} }).mcp.allowed_origins).toEqual([]);
    expect(loadEdgeConfig({ env: { SWITCHYARD_EDGE_MCP_SESSION_SECRET: secret } }).mcp.session_secret).toBe(secret);
    expect(loadEdgeConfig({ env: {}, overrides: { mcp: { allowed_origins: ['https://app.example.com'] } } }).mcp.allowed_origins).toEqual(['https://app.example.com']);
    expect(() => loadEdgeConfig({ env: { SWITCHYARD_EDGE_MCP_SESSION_SECRET: 'short' } })).toThrow(/session_secret/);
  });

  it('reads the admin token from SWITCHYARD_ADMIN_TOKEN_FILE', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'edge-')), 'token');
    writeFileSync(file, 'from-file\n');
    expect(loadEdgeConfig({ env: { SWITCHYARD_ADMIN_TOKEN_FILE: file } }).admin_token).toBe('from-file');
  });

  it('is strict: unknown keys and bad values fail with their path', () => {
    expect(() => loadEdgeConfig({ env: {}, file: { policy_cache: { ttl: 5 } } })).toThrow(/policy_cache/);
    expect(() => loadEdgeConfig({ env: { SWITCHYARD_EDGE_AUTH: 'maybe' } })).toThrow(ConfigError);
    expect(() => loadEdgeConfig({ env: { SWITCHYARD_EDGE_PORT: 'abc' } })).toThrow(/port/);
    expect(() => loadEdgeConfig({ env: { SWITCHYARD_EDGE_GOVERNANCE_ADDR: 'no-port' } })).toThrow(/governance_addr/);
  });
});
