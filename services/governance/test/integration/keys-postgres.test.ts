import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '@switchyard/bus';
import { timestampDate, timestampFromDate } from '@switchyard/proto';
import { dropSchema, testEnv, testIds } from '@switchyard/testing';
import { createApp, type GovernanceApp } from '../../src/index.js';
import { connect, postgresConfig, expectEvent, failure, getText, recordPolicyEvents, type Event, type Governance } from './harness.js';

const env = testEnv();
const ids = testIds('gov');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

let app: GovernanceApp;
let gov: Governance;
let opsPort: number;
let subscriber: NatsBus;
let events: Event[];
let stopRecording: () => void;
let sql: pg.Client;

beforeAll(async () => {
  const config = postgresConfig(env, ids, 0);
  subscriber = await NatsBus.connect({ url: env.natsUrl, prefix: ids.subjectPrefix, name: 'governance-test' });
  ({ events, stop: stopRecording } = recordPolicyEvents(subscriber));
  await subscriber.flush();
  app = createApp(config);
  const started = await app.start();
  opsPort = started.opsPort ?? -1;
  gov = await connect(started.grpcPort);
  sql = new pg.Client({ connectionString: env.databaseUrl });
  await sql.connect();
});

afterAll(async () => {
  gov?.close();
  stopRecording?.();
  await subscriber?.[Symbol.asyncDispose]();
  await app?.[Symbol.asyncDispose]();
  await sql?.end();
  await dropSchema(env.databaseUrl, ids.schema);
});

async function row(id: string): Promise<Record<string, unknown>> {
  const result = await sql.query(`select * from "${ids.schema}".virtual_keys where id = $1`, [id]);
  expect(result.rows).toHaveLength(1);
  return result.rows[0] as Record<string, unknown>;
}

describe('governance keys on Postgres and NATS', () => {
  it('creates a key, shows the secret once and stores only its hash', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const { key, secret } = await gov.client.createKey({ name: 'ci', enabled: true, expiresAt: timestampFromDate(expiresAt), allowedModels: ['openai/*'] });
    expect(secret).toMatch(/^sk-sy-[0-9A-Za-z]{32}$/);
    expect(key?.id).toMatch(/^vk_[0-9A-Z]{26}$/);
    expect(key).toMatchObject({ name: 'ci', enabled: true, allowedModels: ['openai/*'], keyPrefix: secret.slice(0, 10) });
    expect(timestampDate(key!.expiresAt!).getTime()).toBe(expiresAt.getTime());

    const stored = await row(key!.id);
    expect(stored.key_hash).toBe(sha256(secret));
    expect(stored.key_prefix).toBe(secret.slice(0, 10));
    expect(stored.deleted_at).toBeNull();
    const whole = await sql.query(`select row_to_json(k)::text as j from "${ids.schema}".virtual_keys k`);
    for (const r of whole.rows as { j: string }[]) expect(r.j).not.toContain(secret.slice(10));
    await expectEvent(events, key!.id, sha256(secret), 1);

    // Never shown again.
    const fetched = await gov.client.getKey({ id: key!.id });
    expect(JSON.stringify(fetched, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(secret.slice(10));
  });

  it('looks a key up by the SHA-256 of its secret', async () => {
    const { key, secret } = await gov.client.createKey({ name: 'lookup', enabled: true, allowedModels: ['*'] });
    const found = await gov.client.lookupKey({ keyHash: sha256(secret) });
    expect(found.key?.id).toBe(key!.id);
    expect(found.key?.expiresAt).toBeUndefined();
    expect((await gov.client.lookupKey({ keyHash: sha256('sk-sy-unknown') })).key).toBeUndefined();
    expect(await failure(gov.client.lookupKey({ keyHash: 'not-a-hash' }))).toMatchObject({ kind: 'invalid_argument', param: 'key_hash' });
  });

  it('lists keys page by page, every key once, in creation order', async () => {
    for (let i = 0; i < 5; i++) await gov.client.createKey({ name: `page-${i}`, enabled: true, allowedModels: [] });
    const all = (await gov.client.listKeys({ limit: 500 })).keys.map((k) => k.id);
    expect(all.length).toBeGreaterThanOrEqual(7);
    expect(BigInt(all.length)).toBe((await gov.client.getAuthState({})).keyCount);

    const seen: string[] = [];
    let cursor = '';
    do {
      const page = await gov.client.listKeys({ limit: 2, cursor });
      expect(page.keys.length).toBeLessThanOrEqual(2);
      seen.push(...page.keys.map((k) => k.id));
      cursor = page.nextCursor;
    } while (cursor !== '');
    expect(seen).toEqual(all);
    expect([...seen].sort()).toEqual(seen); // ULIDs sort by creation time, as the list does

    expect(await failure(gov.client.listKeys({ limit: 501 }))).toMatchObject({ kind: 'invalid_argument', param: 'limit' });
    expect(await failure(gov.client.listKeys({ cursor: 'bogus!' }))).toMatchObject({ kind: 'invalid_argument', param: 'cursor' });
  });

  it('updates name, enabled, expiry and models, announcing each change', async () => {
    const { key, secret } = await gov.client.createKey({ name: 'upd', enabled: true, allowedModels: ['openai/*'] });
    const id = key!.id;
    const hash = sha256(secret);

    const disabled = await gov.client.updateKey({ id, enabled: false });
    expect(disabled.key).toMatchObject({ name: 'upd', enabled: false, allowedModels: ['openai/*'] });
    // Lookup still answers for a disabled key: edge says why it refuses.
    expect((await gov.client.lookupKey({ keyHash: hash })).key?.enabled).toBe(false);

    const past = new Date(Date.now() - 60_000);
    const expired = await gov.client.updateKey({ id, expiresAt: timestampFromDate(past), name: 'renamed' });
    expect(expired.key?.name).toBe('renamed');
    expect(timestampDate(expired.key!.expiresAt!).getTime()).toBe(past.getTime());
    expect((await gov.client.lookupKey({ keyHash: hash })).key?.expiresAt).toBeDefined();

    const models = await gov.client.updateKey({ id, setAllowedModels: true, allowedModels: ['anthropic/*', 'openai/gpt-4o-mini'], clearExpiresAt: true });
    expect(models.key?.allowedModels).toEqual(['anthropic/*', 'openai/gpt-4o-mini']);
    expect(models.key?.expiresAt).toBeUndefined();
    expect((await row(id)).allowed_models).toEqual(['anthropic/*', 'openai/gpt-4o-mini']);
    expect(timestampDate(models.key!.updatedAt!).getTime()).toBeGreaterThanOrEqual(timestampDate(models.key!.createdAt!).getTime());

    const cleared = await gov.client.updateKey({ id, setAllowedModels: true, allowedModels: [] });
    expect(cleared.key?.allowedModels).toEqual([]);
    await expectEvent(events, id, hash, 5);
  });

  it('soft-deletes: lookup unset, get not_found, row kept, count down, event sent', async () => {
    const { key, secret } = await gov.client.createKey({ name: 'del', enabled: true, allowedModels: ['*'] });
    const id = key!.id;
    const before = (await gov.client.getAuthState({})).keyCount;
    await gov.client.deleteKey({ id });
    expect((await gov.client.lookupKey({ keyHash: sha256(secret) })).key).toBeUndefined();
    expect(await failure(gov.client.getKey({ id }))).toMatchObject({ kind: 'not_found' });
    expect(await failure(gov.client.updateKey({ id, enabled: true }))).toMatchObject({ kind: 'not_found' });
    expect(await failure(gov.client.deleteKey({ id }))).toMatchObject({ kind: 'not_found' });
    expect((await gov.client.getAuthState({})).keyCount).toBe(before - 1n);
    expect((await gov.client.listKeys({ limit: 500 })).keys.map((k) => k.id)).not.toContain(id);
    expect((await row(id)).deleted_at).toBeInstanceOf(Date);
    await expectEvent(events, id, sha256(secret), 2);
  });

  it('rejects invalid input with the parameter at fault and announces nothing', async () => {
    const eventsBefore = events.length;
    const cases: [Promise<unknown>, string][] = [
      [gov.client.createKey({ name: '', enabled: true }), 'name'],
      [gov.client.createKey({ name: 'x'.repeat(129), enabled: true }), 'name'],
      [gov.client.createKey({ name: 'm', enabled: true, allowedModels: ['openai/*', ''] }), 'allowed_models[1]'],
      [gov.client.createKey({ name: 'm', enabled: true, allowedModels: ['gpt-4o'] }), 'allowed_models[0]'],
      [gov.client.createKey({ name: 'e', enabled: true, expiresAt: timestampFromDate(new Date(Date.now() - 1000)) }), 'expires_at'],
      [gov.client.updateKey({ id: 'vk_x', allowedModels: ['*'] }), 'allowed_models'],
      [gov.client.getKey({ id: '' }), 'id'],
    ];
    for (const [call, param] of cases) expect(await failure(call)).toMatchObject({ kind: 'invalid_argument', param });
    expect(await failure(gov.client.getKey({ id: 'vk_00000000000000000000000000' }))).toMatchObject({ kind: 'not_found' });
    await new Promise((r) => setTimeout(r, 100));
    expect(events.length).toBe(eventsBefore);
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    expect(await getText(`http://127.0.0.1:${opsPort}/healthz`)).toEqual({ status: 200, body: 'ok\n' });
    expect((await getText(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
    const metrics = await getText(`http://127.0.0.1:${opsPort}/metrics`);
    expect(metrics.body).toMatch(/switchyard_governance_rpc_seconds_count\{[^}]*rpc="CreateKey"[^}]*outcome="ok"[^}]*\} \d+/);
    expect(metrics.body).toMatch(/switchyard_governance_rpc_seconds_count\{[^}]*outcome="invalid_argument"[^}]*\}/);
    expect(metrics.body).toMatch(/switchyard_governance_keys\{[^}]*\} \d+/);
    expect(metrics.body).toMatch(/switchyard_governance_policy_events_total\{[^}]*outcome="published"[^}]*\} \d+/);
    expect(await app.ready()).toBe(true);
  });
});
