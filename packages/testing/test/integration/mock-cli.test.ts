import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/free-port.js';
import { startProcess } from '../../src/process.js';

// Runs the built CLI (`npm run build` first), the way `npm run mock-provider` does.
const main = fileURLToPath(new URL('../../dist/mock-provider/main.js', import.meta.url));

describe('mock-provider CLI', () => {
  it.skipIf(!existsSync(main))('prints its URL, serves completions and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    await using proc = await startProcess({
      command: process.execPath,
      args: [main, '--port', String(port), '--latency-ms', '0', '--no-record'],
      readyLog: /mock-provider listening on http:\/\/127\.0\.0\.1:\d+\n/,
      timeoutMs: 10_000,
    });
    expect(proc.output()).toBe(`mock-provider listening on http://127.0.0.1:${port}\n`);
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'cli' }] }),
    });
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('Mock reply to: cli');
    const recorded = (await (await fetch(`http://127.0.0.1:${port}/_mock/requests`)).json()) as unknown[];
    expect(recorded).toEqual([]);
    expect(await proc.stop('SIGTERM')).toBe(0);
  });

  it.skipIf(!existsSync(main))('takes its port from PORT', async () => {
    const port = await freePort();
    await using proc = await startProcess({
      command: process.execPath,
      args: [main],
      env: { PORT: String(port) },
      readyUrl: `http://127.0.0.1:${port}/_mock/health`,
      timeoutMs: 10_000,
    });
    expect(proc.output()).toContain(`:${port}`);
    expect(await proc.stop('SIGINT')).toBe(0);
  });
});
