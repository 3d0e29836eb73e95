import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, configFileSection, envBool, envInt, envSecret, loadConfig, readConfigFile } from '../../src/index.js';

const schema = z.object({
  port: z.number().int().default(8080),
  server: z.object({ host: z.string().default('127.0.0.1'), limits: z.object({ body: z.number().default(1024) }).strict().default({ body: 1024 }) }).strict().default({ host: '127.0.0.1', limits: { body: 1024 } }),
  tags: z.array(z.string()).default([]),
}).strict();

describe('loadConfig', () => {
  it('layers defaults < file < env < overrides', () => {
    const cfg = loadConfig(schema, { file: { port: 1, tags: ['a', 'b'], server: { host: 'file' } }, env: { port: 2, server: { limits: { body: undefined } } }, overrides: { tags: ['c'] } });
    expect(cfg).toEqual({ port: 2, server: { host: 'file', limits: { body: 1024 } }, tags: ['c'] });
  });

  it('fails on unknown keys with their path', () => {
    expect(() => loadConfig(schema, { file: { server: { hots: 'x' } }, source: 'switchyard.yaml' })).toThrowError(/switchyard\.yaml[\s\S]*server: Unrecognized key.*hots/);
  });

  it('names the path of a wrong type', () => {
    try {
      loadConfig(schema, { env: { port: Number.NaN } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues[0]).toMatch(/^port: /);
    }
  });

  it('reads YAML files and rejects non-mappings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'a.yaml'), 'port: 9\nserver:\n  host: 0.0.0.0\n');
    writeFileSync(join(dir, 'b.yaml'), '- 1\n');
    writeFileSync(join(dir, 'c.yaml'), '');
    expect(readConfigFile(join(dir, 'a.yaml'))).toEqual({ port: 9, server: { host: '0.0.0.0' } });
    expect(() => readConfigFile(join(dir, 'b.yaml'))).toThrow(/mapping/);
    expect(readConfigFile(join(dir, 'c.yaml'))).toEqual({});
    expect(() => readConfigFile(join(dir, 'missing.yaml'))).toThrow(/ENOENT/);
  });

  it('reads env helpers, secrets from *_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'key'), 'sk-from-file\n');
    expect(envSecret({ K_FILE: join(dir, 'key') }, 'K')).toBe('sk-from-file');
    expect(envSecret({ K: 'direct', K_FILE: join(dir, 'key') }, 'K')).toBe('direct');
    expect(envInt({ P: '80' }, 'P')).toBe(80);
    expect(envInt({ P: 'eighty' }, 'P')).toBeNaN();
    expect(envBool({ B: 'yes' }, 'B')).toBe(true);
    expect(() => envBool({ B: 'maybe' }, 'B')).toThrow(/true or false/);
  });

  it('reads a service section of SWITCHYARD_CONFIG, none when unset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 's.yaml'), 'governance:\n  grpc:\n    port: 1\n');
    expect(configFileSection({ SWITCHYARD_CONFIG: join(dir, 's.yaml') }, 'governance')).toEqual({ grpc: { port: 1 } });
    expect(configFileSection({ SWITCHYARD_CONFIG: join(dir, 's.yaml') }, 'telemetry')).toBeUndefined();
    expect(configFileSection({ SWITCHYARD_CONFIG: '' }, 'governance')).toBeUndefined();
    expect(configFileSection({}, 'governance')).toBeUndefined();
    expect(() => configFileSection({ SWITCHYARD_CONFIG: join(dir, 'missing.yaml') }, 'governance')).toThrow(ConfigError);
  });
});
