import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import type { Consumer } from '@switchyard/bus';
import { fromBinary, STREAMS, SUBJECTS, telemetry } from '@switchyard/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO, chat, startHarness, waitFor, type BusKind, type Harness } from './harness.js';

interface Received {
  subject: string;
  msgId: string;
  event: telemetry.AuditEvent;
}

describe.each<BusKind>(['nats', 'memory'])('audit events on the %s bus', (kind) => {
  let h: Harness;
  let consumer: Consumer;
  const received: Received[] = [];
  const byRequest = (id: string): Promise<Received> => waitFor(() => received.find((r) => r.event.requestId === id), 5_000);

  beforeAll(async () => {
    h = await startHarness({ bus: kind, overrides: { audit: { log_content: true } } });
    consumer = await h.bus.consume({
      stream: STREAMS.audit,
      durable: `edge_test_${randomBytes(3).toString('hex')}`,
      filterSubject: SUBJECTS.auditLlm,
      batchSize: 50,
      maxWaitMs: 200,
      handler: async (batch) => {
        for (const m of batch) received.push({ subject: m.subject, msgId: m.msgId, event: fromBinary(telemetry.AuditEventSchema, m.data) });
      },
    });
  });
  afterAll(async () => {
    await consumer?.stop();
    await h?.close();
  });

  it('records a successful streamed request after the response', async () => {
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-x', maxRetries: 0, defaultHeaders: { 'x-request-id': 'audit-ok-1' } });
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
    for await (const c of stream) void c;
    const { subject, msgId, event } = await byRequest('audit-ok-1');
    expect(subject).toBe(SUBJECTS.auditLlm);
    expect(msgId).toBe(event.eventId);
    expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event).toMatchObject({
      kind: 'llm', requestId: 'audit-ok-1', keyId: '', model: 'openai/gpt-4o-mini', provider: 'openai', status: 200, errorKind: '',
      stream: true, attempts: 2, route: '/v1/chat/completions', promptTokens: 11n, completionTokens: 7n,
    });
    expect(event.latencyMs).toBeGreaterThan(0);
    expect(event.time).toBeDefined();
    expect(JSON.parse(Buffer.from(event.requestBody).toString())).toMatchObject({ model: 'openai/gpt-4o-mini', stream: true });
    expect(Buffer.from(event.responseBody).toString().split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('records caller and upstream errors too', async () => {
    await chat(h.url, '{not json', { 'x-request-id': 'audit-400' });
    await chat(h.url, { ...HELLO, model: 'fail/rate-limited' }, { 'x-request-id': 'audit-429' });
    await chat(h.url, HELLO, { 'x-request-id': 'audit-415', 'content-type': 'text/plain' });
    const bad = await byRequest('audit-400');
    expect(bad.event).toMatchObject({ status: 400, errorKind: 'invalid_argument', model: '', stream: false });
    const limited = await byRequest('audit-429');
    expect(limited.event).toMatchObject({ status: 429, errorKind: 'rate_limited', model: 'fail/rate-limited', provider: '' });
    expect((await byRequest('audit-415')).event.status).toBe(400);
  });

  it('records 401s with the key left empty', async () => {
    h.fakes.governance.addKey({});
    await waitFor(async () => (await chat(h.url, HELLO)).status === 401, 2_000);
    await chat(h.url, HELLO, { 'x-request-id': 'audit-401', authorization: 'Bearer sk-wrong' });
    expect((await byRequest('audit-401')).event).toMatchObject({ status: 401, errorKind: 'unauthenticated', keyId: '' });
  });
});
