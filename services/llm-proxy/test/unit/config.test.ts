import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchyard/config';
import { loadLlmProxyConfig } from '../../src/config.js';

const openaiFile = (over: Record<string, unknown> = {}) => ({
  id: 'openai',
  kind: 'openai',
  base_url: 'https://api.openai.com/v1',
  keys: [{ name: 'a', value: 'sk-a' }],
  ...over,
});

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadLlmProxyConfig', () => {
  it('applies defaults', () => {
    const c = loadLlmProxyConfig({ env: {}, file: { providers: [openaiFile()] } });
    expect(c.grpc).toEqual({ host: '127.0.0.1', port: 50051 });
    expect(c.ops).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(c.observability.log_level).toBe('info');
    const p = c.providers[0];
    expect(p).toMatchObject({ timeout_ms: 120_000, max_retries: 2, retry_backoff_initial_ms: 500, retry_backoff_max_ms: 5_000 });
    expect(p?.keys[0]?.weight).toBe(1);
    expect(c.fallbacks).toEqual({});
  });

  it('maps the environment over the file', () => {
    const c = loadLlmProxyConfig({
      file: { grpc: { port: 1 }, ops: { port: 2 }, observability: { log_level: 'warn' } },
      env: { SWITCHYARD_LLM_PROXY_GRPC_HOST: '0.0.0.0', SWITCHYARD_LLM_PROXY_GRPC_PORT: '6000', SWITCHYARD_LLM_PROXY_OPS_PORT: '-1', LOG_LEVEL: 'debug' },
    });
    expect(c.grpc).toEqual({ host: '0.0.0.0', port: 6000 });
    expect(c.ops.port).toBe(-1);
    expect(c.observability.log_level).toBe('debug');
  });

  it('configures providers from OPENAI_API_KEY and ANTHROPIC_API_KEY alone', () => {
    const c = loadLlmProxyConfig({ env: { OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-ant', ANTHROPIC_BASE_URL: 'http://localhost:1234' } });
    expect(c.providers.map((p) => [p.id, p.kind, p.base_url, p.keys.map((k) => k.value)])).toEqual([
      ['openai', 'openai', 'https://api.openai.com/v1', ['sk-o']],
      ['anthropic', 'anthropic', 'http://localhost:1234', ['sk-ant']],
    ]);
  });

  it('does not create a provider from a base URL alone', () => {
    expect(loadLlmProxyConfig({ env: { OPENAI_BASE_URL: 'http://x/v1' } }).providers).toEqual([]);
  });

  it('merges env providers into file providers of the same id instead of duplicating them', () => {
    const withKeys = loadLlmProxyConfig({ env: { OPENAI_API_KEY: 'sk-env' }, file: { providers: [openaiFile({ models: ['gpt-4o'] })] } });
    expect(withKeys.providers).toHaveLength(1);
    expect(withKeys.providers[0]?.keys.map((k) => k.value)).toEqual(['sk-a']);
    expect(withKeys.providers[0]?.models).toEqual(['gpt-4o']);

    const keyless = loadLlmProxyConfig({
      env: { OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: 'http://proxy/v1' },
      file: { providers: [openaiFile({ keys: [], max_retries: 5 })] },
    });
    expect(keyless.providers).toHaveLength(1);
    expect(keyless.providers[0]).toMatchObject({ base_url: 'http://proxy/v1', max_retries: 5 });
    expect(keyless.providers[0]?.keys).toEqual([{ name: 'env', value: 'sk-env', weight: 1 }]);
  });

  it('resolves value_env, including *_FILE secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-proxy-'));
    writeFileSync(join(dir, 'key'), 'sk-from-file\n');
    const c = loadLlmProxyConfig({
      env: { KEY_A: 'sk-env-a', KEY_B_FILE: join(dir, 'key') },
      file: { providers: [openaiFile({ keys: [{ name: 'a', value_env: 'KEY_A', weight: 3 }, { name: 'b', value_env: 'KEY_B', models: ['gpt-4o'] }] })] },
    });
    expect(c.providers[0]?.keys).toEqual([
      { name: 'a', value: 'sk-env-a', weight: 3 },
      { name: 'b', value: 'sk-from-file', weight: 1, models: ['gpt-4o'] },
    ]);
  });

  it('fails at boot when a value_env variable is missing', () => {
    expect(issues(() => loadLlmProxyConfig({ env: {}, file: { providers: [openaiFile({ keys: [{ name: 'a', value_env: 'NOPE' }] })] } }))).toEqual([
      'providers.0.keys.0.value_env: NOPE (or NOPE_FILE) is not set',
    ]);
  });

  it('is strict: unknown keys fail with their path', () => {
    const found = issues(() => loadLlmProxyConfig({ env: {}, file: { grcp: { port: 1 }, providers: [openaiFile({ timeout: 5 })] } }));
    expect(found.some((i) => i.startsWith('(root)') && i.includes('grcp'))).toBe(true);
    expect(found.some((i) => i.startsWith('providers.0') && i.includes('timeout'))).toBe(true);
  });

  it('rejects bad values with their paths', () => {
    const found = issues(() =>
      loadLlmProxyConfig({
        env: { SWITCHYARD_LLM_PROXY_GRPC_PORT: 'abc' },
        file: {
          providers: [
            openaiFile({ kind: 'gemini', keys: [{ name: 'a' }] }),
            openaiFile({ retry_backoff_initial_ms: 100, retry_backoff_max_ms: 10 }),
          ],
          fallbacks: { 'openai/*': ['nowhere/model', 'openai'] },
        },
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^grpc\.port:/),
        expect.stringMatching(/^providers\.0\.kind:/),
        expect.stringMatching(/^providers\.0\.keys\.0: exactly one of value or value_env/),
        expect.stringMatching(/^providers\.1\.retry_backoff_max_ms:/),
      ]),
    );
  });

  it('checks ids, key names and fallback targets across providers', () => {
    const found = issues(() =>
      loadLlmProxyConfig({
        env: {},
        file: {
          providers: [openaiFile({ keys: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] }), openaiFile()],
          fallbacks: { 'openai/gpt-4o': ['nowhere/model', 'openai'] },
        },
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'providers.1.id: duplicate provider id "openai"',
        'providers.0.keys.1.name: duplicate key name "a"',
        'fallbacks.openai/gpt-4o.0: "nowhere/model" is not provider/model with a configured provider',
        'fallbacks.openai/gpt-4o.1: "openai" is not provider/model with a configured provider',
      ]),
    );
  });

  it('lets overrides win over everything', () => {
    const c = loadLlmProxyConfig({ env: { SWITCHYARD_LLM_PROXY_GRPC_PORT: '6000' }, overrides: { grpc: { port: 0 }, ops: { port: -1 } } });
    expect(c.grpc.port).toBe(0);
    expect(c.ops.port).toBe(-1);
  });
});

describe('loadLlmProxyConfigFromEnv', () => {
  it('reads the llm_proxy section of SWITCHYARD_CONFIG and the environment', async () => {
    const { loadLlmProxyConfigFromEnv } = await import('../../src/config.js');
    const dir = mkdtempSync(join(tmpdir(), 'llm-proxy-'));
    const path = join(dir, 'switchyard.yaml');
    writeFileSync(path, 'edge: { port: 1 }\nllm_proxy:\n  grpc: { port: 7000 }\n  providers:\n    - { id: local, kind: openai, base_url: "http://127.0.0.1:8000/v1", keys: [{ name: a, value_env: LOCAL_KEY }] }\n');
    const c = loadLlmProxyConfigFromEnv({ SWITCHYARD_CONFIG: path, LOCAL_KEY: 'sk-local', SWITCHYARD_LLM_PROXY_OPS_PORT: '9999' });
    expect([c.grpc.port, c.ops.port, c.providers[0]?.keys[0]?.value]).toEqual([7000, 9999, 'sk-local']);
  });
});
