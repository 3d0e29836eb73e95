import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchyard/config';
import { baseChildEnvironment, loadMcpConnectorConfig, toolPriceMicros } from '../../src/config.js';

function load(file: unknown, env: Record<string, string> = {}) {
  return loadMcpConnectorConfig({ file, env });
}

function errorOf(file: unknown): string {
  try {
    load(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a config error');
}

describe('mcp_connector config', () => {
  it('fills Bifrost-compatible defaults', () => {
    const c = load({ clients: [{ name: 'fs', connection_type: 'stdio', stdio_config: { command: 'npx' } }] });
    expect(c.grpc).toEqual({ host: '127.0.0.1', port: 50054 });
    expect(c.health_check_interval_ms).toBe(10_000);
    expect(c.clients[0]).toMatchObject({
      tools_to_execute: ['*'], tools_to_auto_execute: [], timeout_ms: 30_000, disabled: false,
      stdio_config: { command: 'npx', args: [], env: {} }, headers: {},
    });
  });

  it('reads tool_pricing (USD per call: per tool, else the default, else free) as micro-USD', () => {
    const c = load({ clients: [{ name: 'fs', connection_type: 'stdio', stdio_config: { command: 'npx' }, tool_pricing: { default: 0.001, tools: { write_file: 0.25 } } }] });
    expect(toolPriceMicros(c.clients[0]!.tool_pricing, 'write_file')).toBe(250_000);
    expect(toolPriceMicros(c.clients[0]!.tool_pricing, 'read_file')).toBe(1_000);
    expect(toolPriceMicros(undefined, 'read_file')).toBe(0);
    expect(toolPriceMicros({ tools: {} }, 'read_file')).toBe(0);
    expect(errorOf({ clients: [{ name: 'a', connection_type: 'stdio', stdio_config: { command: 'x' }, tool_pricing: { default: -1 } }] })).toContain('clients.0.tool_pricing.default');
    expect(errorOf({ clients: [{ name: 'a', connection_type: 'stdio', stdio_config: { command: 'x' }, tool_pricing: { per_call: 1 } }] })).toContain('clients.0.tool_pricing');
  });

  it('reads the gRPC and ops endpoints from the environment', () => {
    const c = load({}, { SWITCHYARD_MCP_CONNECTOR_GRPC_PORT: '6000', SWITCHYARD_MCP_CONNECTOR_OPS_PORT: '-1', SWITCHYARD_MCP_CONNECTOR_GRPC_HOST: '0.0.0.0' });
    expect(c.grpc).toEqual({ host: '0.0.0.0', port: 6000 });
    expect(c.ops.port).toBe(-1);
  });

  it('names the path of each invalid client field', () => {
    expect(errorOf({ clients: [{ name: 'a', connection_type: 'stdio' }] })).toContain('clients.0.stdio_config');
    expect(errorOf({ clients: [{ name: 'a', connection_type: 'http' }] })).toContain('clients.0.connection_string');
    expect(errorOf({ clients: [{ name: 'a', connection_type: 'sse', connection_string: 'not a url' }] })).toContain('clients.0.connection_string');
    expect(errorOf({ clients: [{ name: 'bad name', connection_type: 'sse', connection_string: 'http://x/sse' }] })).toContain('clients.0.name');
    expect(errorOf({ clients: [{ name: 'a', connection_type: 'sse', connection_string: 'http://x/sse', tool_to_execute: [] }] })).toContain('tool_to_execute');
    expect(errorOf({
      clients: [
        { name: 'a', connection_type: 'sse', connection_string: 'http://x/sse' },
        { name: 'a', connection_type: 'http', connection_string: 'http://x/mcp' },
      ],
    })).toContain('clients.1.name');
  });

  it('gives stdio children an explicit environment without the parent\'s secrets', () => {
    const env = baseChildEnvironment({ PATH: '/bin', HOME: '/home/x', OPENAI_API_KEY: 'sk-secret', DATABASE_URL: 'postgres://' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/home/x' });
  });
});
