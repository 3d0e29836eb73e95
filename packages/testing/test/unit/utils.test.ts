import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/free-port.js';
import { startProcess } from '../../src/process.js';
import { testEnv, testIds } from '../../src/test-ids.js';
import { waitFor } from '../../src/wait-for.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('freePort', () => {
  it('returns a port that can be listened on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('testIds and testEnv', () => {
  it('derives schema, redis prefix and subject prefix from one run id', () => {
    const ids = testIds('Budget Store.v2');
    expect(ids.runId).toMatch(/^budget_store_v2_[0-9a-f]{8}$/);
    expect(ids.schema).toBe(`t_${ids.runId}`);
    expect(ids.schema).toMatch(/^[a-z0-9_]+$/);
    expect(ids.redisPrefix).toBe(`t:${ids.runId}:`);
    expect(ids.subjectPrefix).toBe(`t_${ids.runId}.`);
    expect(ids.runId).not.toContain('.');
    expect(testIds('Budget Store.v2').runId).not.toBe(ids.runId);
    expect(testIds('x'.repeat(100)).schema.length).toBeLessThanOrEqual(63);
  });

  it('reads TEST_* variables with localhost defaults', () => {
    expect(testEnv({})).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
      redisUrl: 'redis://127.0.0.1:6379',
      natsUrl: 'nats://127.0.0.1:4222',
    });
    expect(testEnv({ TEST_REDIS_URL: 'redis://r:1' }).redisUrl).toBe('redis://r:1');
  });
});

describe('waitFor', () => {
  it('resolves with the value once fn stops throwing', async () => {
    let n = 0;
    const value = await waitFor(
      () => {
        if (++n < 3) throw new Error('not yet');
        return n;
      },
      { intervalMs: 5 },
    );
    expect(value).toBe(3);
  });

  it('rethrows the last error on timeout', async () => {
    let n = 0;
    const err = await waitFor(
      () => {
        throw new Error(`attempt ${++n}`);
      },
      { timeoutMs: 60, intervalMs: 10 },
    ).catch((e: unknown) => e);
    expect(n).toBeGreaterThan(2);
    expect(err).toEqual(new Error(`attempt ${n}`));
    await expect(waitFor(() => false, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(/still false/);
  });
});

describe('startProcess', () => {
  const server = `
    const http = require('node:http');
    const s = http.createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening ' + process.env.PORT + '\\n'));
    process.on('SIGTERM', () => s.close(() => process.exit(7)));`;

  it('waits for readyUrl, captures output and stops with SIGTERM', async () => {
    const port = await freePort();
    const proc = await startProcess({
      command: process.execPath,
      args: ['-e', server],
      env: { PORT: String(port) },
      readyUrl: `http://127.0.0.1:${port}/`,
      timeoutMs: 10_000,
    });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    await waitFor(() => expect(proc.output()).toContain(`listening ${port}`));
    expect(await proc.stop()).toBe(7);
    expect(alive(proc.pid)).toBe(false);
  });

  it('waits for readyLog, and dispose kills a child that ignores SIGTERM', async () => {
    let pid = 0;
    {
      await using proc = await startProcess({
        command: process.execPath,
        args: ['-e', `process.on('SIGTERM', () => {}); setTimeout(() => process.stderr.write('ready now' + '\\n'), 50); setInterval(() => {}, 1000);`],
        readyLog: /ready now/,
        timeoutMs: 10_000,
        killAfterMs: 300,
      });
      pid = proc.pid;
      expect(alive(pid)).toBe(true);
    }
    expect(alive(pid)).toBe(false);
  });

  it('rejects with the output when the child exits or is not ready in time, leaving nothing behind', async () => {
    await expect(
      startProcess({ command: process.execPath, args: ['-e', 'process.stdout.write("boom" + "\\n"); process.exit(3)'], readyLog: /never/, timeoutMs: 5000 }),
    ).rejects.toThrow(/exited before it was ready[\s\S]*boom/);
    const t0 = performance.now();
    await expect(
      startProcess({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], readyLog: /never/, timeoutMs: 300 }),
    ).rejects.toThrow(/not ready after 300ms/);
    expect(performance.now() - t0).toBeLessThan(3000);
    await expect(startProcess({ command: '/nonexistent/binary', timeoutMs: 1000 })).rejects.toThrow(/cannot start/);
  });
});
