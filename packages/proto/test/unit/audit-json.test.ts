import { describe, it, expect } from 'vitest';
import { auditEventToJson, create, telemetry, timestampFromDate } from '../../src/index.js';

const enc = new TextEncoder();

/** A complete wire event; override what a test is about. */
function wireEvent(init: Partial<Omit<telemetry.AuditEvent, '$typeName'>> = {}): telemetry.AuditEvent {
  return create(telemetry.AuditEventSchema, {
    eventId: '7d1f0a52-1a2b-4c3d-8e9f-0a1b2c3d4e5f', kind: 'llm', time: timestampFromDate(new Date('2025-11-21T10:11:12.345Z')),
    requestId: 'req-1', parentRequestId: 'req-0', keyId: 'vk_alpha', model: 'openai/gpt-4o-mini', provider: 'openai',
    status: 200, errorKind: '', latencyMs: 123.5, promptTokens: 12n, completionTokens: 34n, stream: true, attempts: 2,
    route: '/v1/chat/completions', traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    requestBody: enc.encode('{"model":"gpt-4o-mini"}'), responseBody: enc.encode('{"id":"chatcmpl-1"}'),
    ...init,
  });
}

describe('auditEventToJson', () => {
  it('renders snake_case fields, an ISO time, token counts as numbers and bodies as text', () => {
    expect(auditEventToJson(wireEvent())).toEqual({
      event_id: '7d1f0a52-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      kind: 'llm',
      time: '2025-11-21T10:11:12.345Z',
      request_id: 'req-1',
      parent_request_id: 'req-0',
      key_id: 'vk_alpha',
      model: 'openai/gpt-4o-mini',
      provider: 'openai',
      status: 200,
      error_kind: '',
      latency_ms: 123.5,
      prompt_tokens: 12,
      completion_tokens: 34,
      stream: true,
      attempts: 2,
      route: '/v1/chat/completions',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      request_body: '{"model":"gpt-4o-mini"}',
      response_body: '{"id":"chatcmpl-1"}',
    });
  });

  it('renders absent bodies and time as null, and survives JSON.stringify (no bigint)', () => {
    const json = auditEventToJson(wireEvent({ time: undefined, requestBody: new Uint8Array(0), responseBody: new Uint8Array(0) }));
    expect(json.time).toBeNull();
    expect(json.request_body).toBeNull();
    expect(json.response_body).toBeNull();
    expect(() => JSON.stringify(json)).not.toThrow();
  });

  it('saturates token counts beyond 2^53 instead of losing precision silently', () => {
    const json = auditEventToJson(wireEvent({ promptTokens: 2n ** 60n, completionTokens: BigInt(Number.MAX_SAFE_INTEGER) }));
    expect(json.prompt_tokens).toBe(Number.MAX_SAFE_INTEGER);
    expect(json.completion_tokens).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('decodes invalid UTF-8 in bodies with replacement characters', () => {
    expect(auditEventToJson(wireEvent({ requestBody: new Uint8Array([0x61, 0xff, 0x62]) })).request_body).toBe('a\uFFFDb');
  });
});
