import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '@switchyard/bus';
import { waitFor, dropSchema, testEnv, testIds } from '@switchyard/testing';
import type { governance } from '@switchyard/proto';
import { createApp, type GovernanceApp } from '../../src/index.js';
import { connect, postgresConfig, failure, recordPolicyEvents, type Event, type Governance } from './harness.js';

const env = testEnv();
const ids = testIds('govh');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

let app: GovernanceApp;
let conn: Governance;
let gov: Governance['client'];
let subscriber: NatsBus;
let events: Event[];
let stopRecording: () => void;

beforeAll(async () => {
  const config = postgresConfig(env, ids, -1);
  subscriber = await NatsBus.connect({ url: env.natsUrl, prefix: ids.subjectPrefix, name: 'governance-hierarchy-test' });
  ({ events, stop: stopRecording } = recordPolicyEvents(subscriber));
  await subscriber.flush();
  app = createApp(config);
  conn = await connect((await app.start()).grpcPort);
  gov = conn.client;
});

afterAll(async () => {
  conn?.close();
  stopRecording?.();
  await subscriber?.[Symbol.asyncDispose]();
  await app?.[Symbol.asyncDispose]();
  await dropSchema(env.databaseUrl, ids.schema);
});

/** A key and its resolved policy, as edge would look it up. */
async function lookup(secret: string): Promise<{ key: governance.VirtualKey; policy: governance.ResolvedPolicy }> {
  const res = await gov.lookupKey({ keyHash: sha256(secret) });
  expect(res.key).toBeDefined();
  expect(res.policy).toBeDefined();
  return { key: res.key!, policy: res.policy! };
}

function scopeOf(policy: governance.ResolvedPolicy): Record<string, string[]> | 'unrestricted' {
  if (policy.toolScope?.unrestricted) return 'unrestricted';
  return Object.fromEntries(Object.entries(policy.toolScope?.clients ?? {}).map(([c, n]) => [c, n.tools]));
}

async function newKey(request: Partial<governance.CreateKeyRequest> = {}): Promise<{ id: string; secret: string }> {
  const res = await gov.createKey({ name: 'k', enabled: true, allowedModels: ['*'], ...request });
  return { id: res.key!.id, secret: res.secret };
}

async function expectEventOf(kind: string, id: string): Promise<void> {
  await waitFor(() => events.some((e) => e.kind === kind && e.id === id), { timeoutMs: 5000, intervalMs: 10 });
}

describe('customers > teams > keys', () => {
  it('resolves a key in a team up to the team\'s customer, and announces every change', async () => {
    const customer = (await gov.createCustomer({ name: 'Acme' })).customer!;
    expect(customer.id).toMatch(/^cu_/);
    await expectEventOf('customer', customer.id);
    const team = (await gov.createTeam({ name: 'Platform', customerId: customer.id })).team!;
    expect(team.customerId).toBe(customer.id);
    await expectEventOf('team', team.id);
    const key = await newKey({ teamId: team.id });
    const { key: shown, policy } = await lookup(key.secret);
    expect(shown.teamId).toBe(team.id);
    expect(shown.customerId).toBe('');
    expect(policy.teamId).toBe(team.id);
    expect(policy.customerId).toBe(customer.id);
    // Keys made without a provider list may use every provider, and have no tool restriction.
    expect(policy.allowedProviders).toEqual(['*']);
    expect(scopeOf(policy)).toBe('unrestricted');

    const teams = await gov.listTeams({ customerId: customer.id });
    expect(teams.teams.map((t) => t.id)).toEqual([team.id]);
  });

  it('refuses a key with both a team and a customer, on create and on update', async () => {
    const customer = (await gov.createCustomer({ name: 'C' })).customer!;
    const team = (await gov.createTeam({ name: 'T' })).team!;
    const both = await failure(gov.createKey({ name: 'k', enabled: true, teamId: team.id, customerId: customer.id }));
    expect(both.kind).toBe('invalid_argument');
    expect(both.code).toBe('owner_conflict');

    const key = await newKey({ customerId: customer.id });
    const move = await failure(gov.updateKey({ id: key.id, teamId: team.id }));
    expect(move.code).toBe('owner_conflict');
    // Moving explicitly (clearing the customer in the same update) is fine.
    const moved = await gov.updateKey({ id: key.id, teamId: team.id, customerId: '' });
    expect(moved.key?.teamId).toBe(team.id);
    expect(moved.key?.customerId).toBe('');

    const unknown = await failure(gov.createKey({ name: 'k', enabled: true, teamId: 'tm_nope' }));
    expect(unknown.kind).toBe('invalid_argument');
    expect(unknown.code).toBe('team_not_found');
  });

  it('refuses to delete a team with keys or a customer with teams', async () => {
    const customer = (await gov.createCustomer({ name: 'C2' })).customer!;
    const team = (await gov.createTeam({ name: 'T2', customerId: customer.id })).team!;
    const key = await newKey({ teamId: team.id });
    expect((await failure(gov.deleteTeam({ id: team.id }))).code).toBe('team_in_use');
    expect((await failure(gov.deleteCustomer({ id: customer.id }))).code).toBe('customer_in_use');
    await gov.deleteKey({ id: key.id });
    await gov.deleteTeam({ id: team.id });
    await gov.deleteCustomer({ id: customer.id });
    expect((await failure(gov.getCustomer({ id: customer.id }))).kind).toBe('not_found');
  });
});

describe('tool groups', () => {
  it('derives an immutable unique slug and serves a group by id or slug', async () => {
    const group = (await gov.createToolGroup({ name: 'Read Only Files', enabled: true, tools: [{ client: 'filesystem', tools: ['read_file'] }] })).group!;
    expect(group.slug).toBe('read-only-files');
    await expectEventOf('tool_group', group.id);
    expect((await gov.getToolGroup({ id: 'read-only-files' })).group?.id).toBe(group.id);
    expect((await gov.getToolGroup({ id: group.id })).group?.slug).toBe('read-only-files');
    const taken = await failure(gov.createToolGroup({ name: 'read only files', enabled: true, tools: [{ client: 'x', tools: ['*'] }] }));
    expect(taken.kind).toBe('conflict');
    expect(taken.code).toBe('slug_taken');
  });

  it('gives a key the union of its own list and the enabled groups on its chain, without duplicates', async () => {
    const customer = (await gov.createCustomer({ name: 'G' })).customer!;
    const team = (await gov.createTeam({ name: 'G', customerId: customer.id })).team!;
    const key = await newKey({
      teamId: team.id,
      allowedProviders: { patterns: ['openai'] },
      mcpTools: { clients: { filesystem: { tools: ['read_file'] } } },
    });
    const onKey = (await gov.createToolGroup({ name: 'u-key', enabled: true, tools: [{ client: 'filesystem', tools: ['read_file', 'list_directory'] }] })).group!;
    const onTeam = (await gov.createToolGroup({ name: 'u-team', enabled: true, tools: [{ client: 'memory', tools: ['read_graph'] }] })).group!;
    const onCustomer = (await gov.createToolGroup({ name: 'u-customer', enabled: true, tools: [{ client: 'memory', tools: ['*'] }, { client: 'filesystem', tools: ['list_directory'] }] })).group!;
    const disabled = (await gov.createToolGroup({ name: 'u-disabled', enabled: false, tools: [{ client: 'filesystem', tools: ['write_file'] }] })).group!;
    await gov.attachToolGroup({ id: onKey.slug, attachment: { entityKind: 'key', entityId: key.id } });
    await gov.attachToolGroup({ id: onTeam.id, attachment: { entityKind: 'team', entityId: team.id } });
    await gov.attachToolGroup({ id: onCustomer.slug, attachment: { entityKind: 'customer', entityId: customer.id } });
    const attached = await gov.attachToolGroup({ id: disabled.slug, attachment: { entityKind: 'key', entityId: key.id } });
    expect(attached.group?.attachments).toEqual([expect.objectContaining({ entityKind: 'key', entityId: key.id })]);

    const { key: shown, policy } = await lookup(key.secret);
    expect(shown.toolGroups).toEqual(['u-disabled', 'u-key']);
    expect(policy.allowedProviders).toEqual(['openai']);
    expect(policy.groupSlugs).toEqual(['u-customer', 'u-key', 'u-team']);
    expect(scopeOf(policy)).toEqual({ filesystem: ['read_file', 'list_directory'], memory: ['*'] });

    // Enabling the group adds write_file; detaching the key's group keeps list_directory (the customer's group grants it). Groups merge in slug order.
    await gov.updateToolGroup({ id: disabled.id, enabled: true });
    await gov.detachToolGroup({ id: onKey.id, attachment: { entityKind: 'key', entityId: key.id } });
    const after = await lookup(key.secret);
    expect(scopeOf(after.policy)).toEqual({ filesystem: ['read_file', 'list_directory', 'write_file'], memory: ['*'] });
    expect(after.policy.groupSlugs).toEqual(['u-customer', 'u-disabled', 'u-team']);

    const missing = await failure(gov.detachToolGroup({ id: onKey.id, attachment: { entityKind: 'key', entityId: key.id } }));
    expect(missing.code).toBe('attachment_not_found');
    const nobody = await failure(gov.attachToolGroup({ id: onKey.id, attachment: { entityKind: 'team', entityId: 'tm_nope' } }));
    expect(nobody.code).toBe('team_not_found');
  });

  it('keeps {} (no tools) apart from no allow-list (unrestricted), and clears it', async () => {
    const none = await newKey({ mcpTools: { clients: {} } });
    expect(scopeOf((await lookup(none.secret)).policy)).toEqual({});
    await gov.updateKey({ id: none.id, clearMcpTools: true });
    expect(scopeOf((await lookup(none.secret)).policy)).toBe('unrestricted');
    await gov.updateKey({ id: none.id, mcpTools: { clients: { memory: { tools: ['*'] } } } });
    expect(scopeOf((await lookup(none.secret)).policy)).toEqual({ memory: ['*'] });
    await expectEventOf('key', none.id);
  });

  it('drops a deleted group from every key that reached it', async () => {
    const key = await newKey();
    const group = (await gov.createToolGroup({ name: 'short-lived', enabled: true, tools: [{ client: 'fs', tools: ['a'] }] })).group!;
    await gov.attachToolGroup({ id: group.id, attachment: { entityKind: 'key', entityId: key.id } });
    expect(scopeOf((await lookup(key.secret)).policy)).toEqual({ fs: ['a'] });
    await gov.deleteToolGroup({ id: group.slug });
    expect(scopeOf((await lookup(key.secret)).policy)).toBe('unrestricted');
    expect((await failure(gov.getToolGroup({ id: group.slug }))).kind).toBe('not_found');
  });
});
