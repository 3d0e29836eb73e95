import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startMockProvider, startProcess } from '@switchyard/testing';

const main = resolve(import.meta.dirname, '../../dist/main.js');

// What `npm start` runs: the built all-in-one entry, configured by the environment only.
describe('the all-in-one process', () => {
  it('starts with embedded defaults, serves a chat, warns that auth is open, and stops cleanly on SIGTERM', async () => {
    await using mock = await startMockProvider();
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-data-'));
    const proc = await startProcess({
      command: process.execPath,
      args: [main],
      cwd: mkdtempSync(join(tmpdir(), 'switchyard-cwd-')),
      env: { SWITCHYARD_EDGE_PORT: String(port), OPENAI_API_KEY: 'env-key', OPENAI_BASE_URL: `${mock.url}/v1`, SWITCHYARD_DATA_DIR: dataDir, DATABASE_URL: undefined, NATS_URL: undefined, LOG_LEVEL: 'info' },
      readyLog: /Switchyard is listening on http:\/\/127\.0\.0\.1:\d+/,
      timeoutMs: 60_000,
    });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      expect(mock.requests.at(-1)?.apiKey).toBe('env-key');
      expect(proc.output()).toContain('edge.auth_disabled');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('switchyard_http_requests_total');
      expect(metrics).toContain('switchyard_llm_requests_total');
    } finally {
      expect(await proc.stop('SIGTERM')).toBe(0);
    }
  });

  it('refuses a config file with a typo, naming the bad key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bad-'));
    writeFileSync(join(dir, 'switchyard.yaml'), 'edge:\n  prot: 8080\n');
    const proc = await startProcess({ command: process.execPath, args: [main], cwd: dir, env: { SWITCHYARD_EDGE_PORT: String(await freePort()), SWITCHYARD_DATA_DIR: 'memory://' }, readyLog: /invalid configuration/, timeoutMs: 30_000 });
    expect(await proc.stop()).not.toBe(0);
    expect(proc.output()).toMatch(/prot/);
  });
});
