import { expect } from 'vitest';
import type { Bus } from '@switchyard/bus';
import { SwitchyardError } from '@switchyard/errors';
import { createClient, fromBinary, governance, SUBJECTS, type GrpcClient } from '@switchyard/proto';
import type { TestEnv, TestIds } from '@switchyard/testing';
import { waitFor } from '@switchyard/testing';
import { loadGovernanceConfig, type GovernanceConfig } from '../../src/index.js';

export type Governance = GrpcClient<typeof governance.GovernanceService>;

/** Governance against the real Postgres and NATS of this run (its own schema and subject prefix), gRPC on a free port. */
export function postgresConfig(env: TestEnv, ids: TestIds, opsPort: number): GovernanceConfig {
  return loadGovernanceConfig({
    env: {},
    overrides: {
      grpc: { port: 0 },
      ops: { port: opsPort },
      backends: { database_url: env.databaseUrl, nats_url: env.natsUrl, subject_prefix: ids.subjectPrefix, database_schema: ids.schema },
      observability: { log_level: 'silent' },
    },
  });
}

export interface Event {
  subject: string;
  kind: string;
  id: string;
  keyHash: string;
}

/** Every PolicyChanged seen on the bus, decoded from its protobuf bytes. */
export function recordPolicyEvents(bus: Bus): { events: Event[]; stop(): void } {
  const events: Event[] = [];
  const sub = bus.subscribe(SUBJECTS.policyChangedAll, (msg) => {
    const e = fromBinary(governance.PolicyChangedSchema, msg.data);
    events.push({ subject: msg.subject, kind: e.kind, id: e.id, keyHash: e.keyHash });
  });
  return { events, stop: () => sub.unsubscribe() };
}

/** Waits (at most one second: the revocation budget) for a PolicyChanged about this key. */
export async function expectEvent(events: Event[], id: string, keyHash: string, count: number): Promise<void> {
  await waitFor(() => events.filter((e) => e.id === id).length >= count, { timeoutMs: 1000, intervalMs: 10 });
  const mine = events.filter((e) => e.id === id);
  expect(mine).toHaveLength(count);
  for (const e of mine) expect(e).toEqual({ subject: SUBJECTS.policyChanged('key'), kind: 'key', id, keyHash });
}

export async function connect(port: number): Promise<Governance> {
  const client = createClient(governance.GovernanceService, `127.0.0.1:${port}`);
  await client.waitForReady(5000);
  return client;
}

/** The SwitchyardError a call failed with (rebuilt from the gRPC trailers). */
export async function failure(call: Promise<unknown>): Promise<SwitchyardError> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SwitchyardError);
  return err as SwitchyardError;
}

export async function getText(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}
