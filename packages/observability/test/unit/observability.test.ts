import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { Metadata } from '@grpc/grpc-js';
import { trace, context, ROOT_CONTEXT } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  createLogger, createRegistry, counter, metricsText, initTracing, injectGrpc, extractGrpc, injectHeaders, extractHeaders, activeTraceId,
} from '../../src/index.js';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { chunks.push(String(chunk)); cb(); } });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  it('redacts credentials and bodies unless content logging is on', () => {
    const out = capture();
    const log = createLogger({ service: 'edge', destination: out.stream });
    log.info({ headers: { authorization: 'Bearer sk-secret' }, body: 'my prompt', key: { secret: 's' } }, 'completion.finished');
    const [line] = out.lines();
    expect(line).toMatchObject({ service: 'edge', level: 'info', msg: 'completion.finished', body: '[redacted]' });
    expect(JSON.stringify(line)).not.toContain('sk-secret');
    expect(JSON.stringify(line)).not.toContain('"s"');

    const out2 = capture();
    createLogger({ service: 'edge', destination: out2.stream, logContent: true }).info({ body: 'my prompt' }, 'x');
    expect(out2.lines()[0]).toMatchObject({ body: 'my prompt' });
  });
});

describe('metrics', () => {
  it('keeps registries apart and merges them for one endpoint', async () => {
    const a = createRegistry({ service: 'edge', defaultMetrics: false });
    const b = createRegistry({ service: 'llm-proxy', defaultMetrics: false });
    counter(a, 'switchyard_a_total', 'a').inc(2);
    counter(b, 'switchyard_b_total', 'b').inc();
    const { body } = await metricsText([a, b]);
    expect(body).toContain('switchyard_a_total{service="edge"} 2');
    expect(body).toContain('switchyard_b_total{service="llm-proxy"} 1');
  });
});

describe('trace propagation', () => {
  const exporter = new InMemorySpanExporter();
  const { tracer } = initTracing({ serviceName: 'test', exporter });

  it('carries the trace across gRPC metadata and NATS headers', () => {
    tracer.startActiveSpan('edge.request', (span) => {
      const md = new Metadata();
      injectGrpc(md);
      expect(String(md.get('traceparent')[0])).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const remote = extractGrpc(md, ROOT_CONTEXT);
      expect(activeTraceId(remote)).toBe(span.spanContext().traceId);

      const headers = injectHeaders({});
      expect(activeTraceId(extractHeaders(headers, ROOT_CONTEXT))).toBe(span.spanContext().traceId);
      span.end();
    });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toContain('edge.request');
  });

  it('follows the active context across awaits', async () => {
    await tracer.startActiveSpan('outer', async (span) => {
      await new Promise((r) => setTimeout(r, 5));
      expect(activeTraceId()).toBe(span.spanContext().traceId);
      span.end();
    });
    expect(activeTraceId(context.active())).toBe('');
    expect(trace.getSpan(ROOT_CONTEXT)).toBeUndefined();
  });
});
