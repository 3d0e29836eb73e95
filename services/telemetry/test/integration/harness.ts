import { randomUUID } from 'node:crypto';
import type { Bus } from '@switchyard/bus';
import { createClient, SUBJECTS, telemetry, timestampFromDate, toBinary, type GrpcClient } from '@switchyard/proto';
import { createApp, loadTelemetryConfig, type TelemetryApp, type TelemetryConfig, type TelemetryDeps } from '../../src/index.js';
import { wireEvent } from '../fixtures.js';

export interface Started {
  app: TelemetryApp;
  grpcPort: number;
  opsPort: number | undefined;
  client: GrpcClient<typeof telemetry.TelemetryService>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function testConfig(overrides: Record<string, unknown>): TelemetryConfig {
  return loadTelemetryConfig({
    env: {},
    overrides: {
      grpc: { port: 0 },
      ops: { port: -1 },
      batch: { max_size: 50, max_wait_ms: 50, retry_delay_ms: 100 },
      retention_days: 0,
      observability: { log_level: 'silent' },
      ...overrides,
    },
  });
}

export async function startApp(config: TelemetryConfig, deps: TelemetryDeps = {}): Promise<Started> {
  const app = createApp(config, deps);
  const { grpcPort, opsPort } = await app.start();
  const client = createClient(telemetry.TelemetryService, `127.0.0.1:${grpcPort}`);
  return {
    app, grpcPort, opsPort, client,
    [Symbol.asyncDispose]: async () => {
      client.close();
      await app[Symbol.asyncDispose]();
    },
  };
}

export type EventInit = Partial<Omit<telemetry.AuditEvent, '$typeName'>>;

/** An event with a fresh id, `time` now unless given. */
export function newEvent(init: EventInit = {}): telemetry.AuditEvent {
  return wireEvent({ eventId: randomUUID(), time: timestampFromDate(new Date()), ...init });
}

export async function publish(bus: Bus, event: telemetry.AuditEvent, msgId = event.eventId): Promise<void> {
  await bus.publishDurable(SUBJECTS.auditLlm, toBinary(telemetry.AuditEventSchema, event), { msgId });
}

/** Every event matching the request, walking all pages. */
export async function listAll(client: Started['client'], request: Omit<telemetry.ListAuditEventsRequest, '$typeName' | 'cursor'> | Record<string, unknown>, limit = 500): Promise<telemetry.AuditEvent[]> {
  const out: telemetry.AuditEvent[] = [];
  let cursor = '';
  for (let page = 0; page < 1000; page++) {
    const res = await client.client.listAuditEvents({ ...request, limit, cursor });
    out.push(...res.events);
    if (!res.nextCursor) return out;
    cursor = res.nextCursor;
  }
  throw new Error('too many pages');
}
