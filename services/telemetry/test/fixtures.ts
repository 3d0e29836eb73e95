import type { Registry } from '@switchyard/obs';
import { create, telemetry, timestampFromDate } from '@switchyard/proto';

const enc = new TextEncoder();

/** A complete wire event; override what a test is about. */
export function wireEvent(init: Partial<Omit<telemetry.AuditEvent, '$typeName'>> = {}): telemetry.AuditEvent {
  return create(telemetry.AuditEventSchema, {
    eventId: '7d1f0a52-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    kind: 'llm',
    time: timestampFromDate(new Date('2025-11-21T10:11:12.345Z')),
    requestId: 'req-1',
    parentRequestId: 'req-0',
    keyId: 'vk_alpha',
    model: 'openai/gpt-4o-mini',
    provider: 'openai',
    status: 200,
    errorKind: '',
    latencyMs: 123.5,
    promptTokens: 12n,
    completionTokens: 34n,
    stream: true,
    attempts: 2,
    route: '/v1/chat/completions',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    requestBody: enc.encode('{"model":"gpt-4o-mini"}'),
    responseBody: enc.encode('{"id":"chatcmpl-1"}'),
    ...init,
  });
}

/** The value of a metric (summed over series that match `labels`). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}
