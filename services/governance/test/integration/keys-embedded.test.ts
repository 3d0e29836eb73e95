import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '@switchyard/bus';
import { openPglite } from '@switchyard/db';
import { createRegistry } from '@switchyard/obs';
import { createApp, loadGovernanceConfig } from '../../src/index.js';
import { connect, expectEvent, failure, recordPolicyEvents } from './harness.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('governance keys embedded (PGlite + in-process bus)', () => {
  it('runs the whole key lifecycle on a shared PGlite and an injected MemoryBus', async () => {
    const pglite = await openPglite();
    const bus = new MemoryBus();
    const { events, stop } = recordPolicyEvents(bus);
    const config = loadGovernanceConfig({ env: {}, overrides: { grpc: { port: 0 }, ops: { port: -1 }, backends: { database_schema: 'governance' }, observability: { log_level: 'silent' } } });
    const app = createApp(config, { bus, pglite, registry: createRegistry({ service: 'governance', defaultMetrics: false }) });
    try {
      const started = await app.start();
      expect(started.opsPort).toBeUndefined();
      expect(await app.ready()).toBe(true);
      using gov = await connect(started.grpcPort);

      const { key, secret } = await gov.client.createKey({ name: 'local', enabled: true, allowedModels: ['openai/*', 'anthropic/claude-*'] });
      const id = key!.id;
      const hash = sha256(secret);
      const stored = await pglite.query<{ key_hash: string; allowed_models: string[] }>('select key_hash, allowed_models from governance.virtual_keys where id = $1', [id]);
      expect(stored.rows).toEqual([{ key_hash: hash, allowed_models: ['openai/*', 'anthropic/claude-*'] }]);
      expect((await gov.client.lookupKey({ keyHash: hash })).key?.allowedModels).toEqual(['openai/*', 'anthropic/claude-*']);

      await gov.client.createKey({ name: 'second', enabled: false });
      const first = await gov.client.listKeys({ limit: 1 });
      expect(first.keys.map((k) => k.id)).toEqual([id]);
      const second = await gov.client.listKeys({ limit: 1, cursor: first.nextCursor });
      expect(second.keys.map((k) => k.name)).toEqual(['second']);
      expect(second.keys[0]?.enabled).toBe(false);
      expect(second.nextCursor).toBe('');
      expect((await gov.client.getAuthState({})).keyCount).toBe(2n);

      expect((await gov.client.updateKey({ id, enabled: false })).key?.enabled).toBe(false);
      await gov.client.deleteKey({ id });
      expect((await gov.client.lookupKey({ keyHash: hash })).key).toBeUndefined();
      expect(await failure(gov.client.getKey({ id }))).toMatchObject({ kind: 'not_found' });
      expect(await failure(gov.client.createKey({ name: '' }))).toMatchObject({ kind: 'invalid_argument', param: 'name' });
      await expectEvent(events, id, hash, 3);
    } finally {
      stop();
      await app[Symbol.asyncDispose]();
    }
    // The injected bus and PGlite belong to the caller: still usable after the app is gone.
    await expect(bus.ping()).resolves.toBeUndefined();
    expect((await pglite.query<{ n: number }>('select count(*)::int as n from governance.virtual_keys')).rows[0]?.n).toBe(2);
    await bus[Symbol.asyncDispose]();
    await pglite.close();
  });

  it('owns and closes its own embedded database and bus when none is injected', async () => {
    const config = loadGovernanceConfig({ env: {}, overrides: { grpc: { port: 0 }, ops: { port: 0 }, observability: { log_level: 'silent' } } });
    const app = createApp(config, { registry: createRegistry({ service: 'governance', defaultMetrics: false }) });
    const { grpcPort, opsPort } = await app.start();
    expect(grpcPort).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
    await app[Symbol.asyncDispose]();
    expect(await app.ready()).toBe(false);
    await expect(fetch(`http://127.0.0.1:${opsPort}/healthz`)).rejects.toThrow();
  });
});
