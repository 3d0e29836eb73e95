import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import OpenAI from 'openai';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { initTracing, SpanKind, SpanStatusCode, type TracingHandle } from '@switchyard/obs';
import { startMockProvider, type MockProvider } from '@switchyard/testing';
import { createAllInOne, INTERNAL_TRANSPORTS, type AllInOne } from '../../src/index.js';
import { ADMIN, admin, providersSection, until } from './helpers.js';

// OpenTelemetry traces through the whole gateway: the edge's HTTP server span continues
// the caller's trace, the gRPC hop to llm-proxy adds a client and a server span, and
// every upstream attempt (retries included) gets its own span, all in one trace, whose
// id is the audit row's trace_id.
const exporter = new InMemorySpanExporter();
let tracing: TracingHandle;

beforeAll(() => {
  tracing = initTracing({ serviceName: 'switchyard', exporter });
});

afterAll(async () => {
  await tracing[Symbol.asyncDispose]();
});

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const traceparent = (n: number): string => `00-${CALLER_TRACE.slice(0, 30)}${String(n).padStart(2, '0')}-${CALLER_SPAN}-01`;

describe.each(INTERNAL_TRANSPORTS)('traces with the %s internal transport', (transport) => {
  let mock: MockProvider;
  let backup: MockProvider;
  let gw: AllInOne;
  let client: OpenAI;

  beforeAll(async () => {
    mock = await startMockProvider();
    backup = await startMockProvider();
    gw = await createAllInOne(
      { file: { llm_proxy: providersSection(mock, backup) }, source: undefined, services: ['edge', 'llm-proxy', 'governance', 'telemetry'], dataDir: 'memory://', internalTransport: transport },
      { LOG_LEVEL: 'warn', SWITCHYARD_ADMIN_TOKEN: ADMIN },
      { edge: { port: 0 } },
    );
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw?.[Symbol.asyncDispose]();
    await mock?.close();
    await backup?.close();
  });

  const inTrace = (traceId: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  const byName = (spans: ReadableSpan[], name: string): ReadableSpan[] => spans.filter((s) => s.name === name);

  it('puts the edge, the gRPC hop and every upstream attempt in the caller\'s trace', async () => {
    const tp = traceparent(transport === 'grpc' ? 1 : 2);
    const traceId = tp.slice(3, 35);
    const res = await client.chat.completions.create(
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'mock: fail=429 count=1 scenario=trace-retry\nhi' }] },
      { headers: { traceparent: tp } },
    );
    expect(res.choices[0]?.message.content).toContain('Mock reply to');
    const spans = await until(async () => {
      const s = inTrace(traceId);
      return byName(s, 'POST /v1/chat/completions').length === 1 ? s : undefined;
    }, 5_000);

    const [server] = byName(spans, 'POST /v1/chat/completions');
    expect(server!.kind).toBe(SpanKind.SERVER);
    expect(server!.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(server!.attributes['http.response.status_code']).toBe(200);

    const rpcClient = spans.find((s) => s.name.endsWith('LlmProxyService/CreateChatCompletion') && s.kind === SpanKind.CLIENT)!;
    const rpcServer = spans.find((s) => s.name.endsWith('LlmProxyService/CreateChatCompletion') && s.kind === SpanKind.SERVER)!;
    expect(rpcClient.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    expect(rpcServer.parentSpanContext?.spanId).toBe(rpcClient.spanContext().spanId);

    // The 429 and the retry that succeeded: two attempts under the llm-proxy span.
    const attempts = byName(spans, 'chat gpt-4o-mini');
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      expect(a.kind).toBe(SpanKind.CLIENT);
      expect(a.parentSpanContext?.spanId).toBe(rpcServer.spanContext().spanId);
      expect(a.attributes['switchyard.provider']).toBe('openai');
    }
    expect(attempts.map((a) => a.status.code).sort()).toEqual([SpanStatusCode.UNSET, SpanStatusCode.ERROR]);
    const ok = attempts.find((a) => a.status.code === SpanStatusCode.UNSET)!;
    expect(ok.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(attempts.find((a) => a.status.code === SpanStatusCode.ERROR)!.attributes['http.response.status_code']).toBe(429);

    // The audit row carries the same trace id.
    const row = await until(async () => {
      const { json } = await admin(gw.url!, 'GET', '/api/logs?limit=500');
      return (json.data as Array<Record<string, unknown>>).find((r) => r.trace_id === traceId);
    }, 5_000);
    expect(row).toMatchObject({ trace_id: traceId, status: 200 });
  });

  it('ends a streamed attempt\'s span when the stream ends, with its usage', async () => {
    const tp = traceparent(transport === 'grpc' ? 3 : 4);
    const traceId = tp.slice(3, 35);
    const stream = await client.chat.completions.create(
      { model: 'openai/gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream me' }] },
      { headers: { traceparent: tp } },
    );
    for await (const _ of stream) { /* drain */ }
    const spans = await until(async () => {
      const s = inTrace(traceId);
      return byName(s, 'chat gpt-4o-mini').length === 1 && byName(s, 'POST /v1/chat/completions').length === 1 ? s : undefined;
    }, 5_000);
    const attempt = byName(spans, 'chat gpt-4o-mini')[0]!;
    expect(attempt.attributes['switchyard.stream']).toBe(true);
    expect(attempt.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(spans.some((s) => s.name.endsWith('LlmProxyService/StreamChatCompletion') && s.kind === SpanKind.SERVER)).toBe(true);
  });

  it('starts a new trace when the caller sends none, and names admin routes without ids', async () => {
    exporter.reset();
    await admin(gw.url!, 'GET', '/api/keys/key_123');
    const spans = await until(async () => {
      const s = exporter.getFinishedSpans().filter((x) => x.kind === SpanKind.SERVER && x.name.startsWith('GET /api/keys'));
      return s.length > 0 ? s : undefined;
    }, 5_000);
    expect(spans[0]!.name).toBe('GET /api/keys/:id');
    expect(spans[0]!.parentSpanContext).toBeUndefined();
  });
});
