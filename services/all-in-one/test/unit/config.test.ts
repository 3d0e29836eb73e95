import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllInOneOptions } from '../../src/config.js';

describe('all-in-one options', () => {
  it('reads ./switchyard.yaml when present and runs every service by default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aio-'));
    writeFileSync(join(dir, 'switchyard.yaml'), 'edge:\n  port: 9000\n');
    const o = loadAllInOneOptions({}, dir);
    expect(o.file).toEqual({ edge: { port: 9000 } });
    expect(o.services).toEqual(['edge', 'llm-proxy', 'governance', 'telemetry', 'mcp-connector']);
    expect(o.dataDir).toBe(join(dir, '.switchyard', 'data'));
    expect(o.internalTransport).toBe('grpc');
  });

  it('takes the internal transport from SWITCHYARD_INTERNAL_TRANSPORT, and refuses unknown ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aio-'));
    expect(loadAllInOneOptions({ SWITCHYARD_INTERNAL_TRANSPORT: 'in-process' }, dir).internalTransport).toBe('in-process');
    expect(() => loadAllInOneOptions({ SWITCHYARD_INTERNAL_TRANSPORT: 'carrier-pigeon' }, dir)).toThrow(/carrier-pigeon.*grpc, grpc-tcp, in-process/);
  });

  it('runs a subset and rejects unknown services and sections', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aio-'));
    expect(loadAllInOneOptions({ SWITCHYARD_SERVICES: 'edge, governance' }, dir).services).toEqual(['edge', 'governance']);
    expect(() => loadAllInOneOptions({ SWITCHYARD_SERVICES: 'edge,mcp' }, dir)).toThrow(/unknown service.*mcp/);
    writeFileSync(join(dir, 'x.yaml'), 'edgee: {}\n');
    expect(() => loadAllInOneOptions({ SWITCHYARD_CONFIG: 'x.yaml' }, dir)).toThrow(/edgee/);
  });
});

describe('switchyard.example.yaml', () => {
  it('is valid for every service', async () => {
    const { readConfigFile } = await import('@switchyard/config');
    const edge = await import('@switchyard/edge');
    const llm = await import('@switchyard/llm-proxy');
    const gov = await import('@switchyard/governance');
    const tel = await import('@switchyard/telemetry');
    const mcp = await import('@switchyard/mcp-connector');
    const path = join(import.meta.dirname, '../../../../switchyard.example.yaml');
    const file = readConfigFile(path) as Record<string, unknown>;
    const env = { OPENAI_API_KEY: 'a', OPENAI_API_KEY_2: 'b', ANTHROPIC_API_KEY: 'c' };
    expect(loadAllInOneOptions({ SWITCHYARD_CONFIG: path }, '/').file).toEqual(file);
    expect(edge.loadEdgeConfig({ file: file.edge, env }).port).toBe(8080);
    expect(llm.loadLlmProxyConfig({ file: file.llm_proxy, env }).providers.map((p) => p.id)).toEqual(['openai', 'anthropic', 'local']);
    expect(gov.loadGovernanceConfig({ file: file.governance, env }).grpc.port).toBe(50052);
    expect(tel.loadTelemetryConfig({ file: file.telemetry, env }).retention_days).toBe(30);
    expect(mcp.loadMcpConnectorConfig({ file: file.mcp_connector, env }).clients.map((c) => c.name)).toEqual(['filesystem', 'search']);
    // Importing every service takes seconds on a loaded 2-core machine: a wide limit, not a speed check.
  }, 60_000);
});
