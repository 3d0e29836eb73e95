import { context, propagation, trace, type Context, type TextMapGetter, type TextMapSetter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter, type SpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Metadata } from '@grpc/grpc-js';
import { setTracingActive } from './spans.js';

export { context, trace, type Context, type Tracer } from '@opentelemetry/api';

const w3c = new W3CTraceContextPropagator();

const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key).filter((v): v is string => typeof v === 'string');
    return values.length === 0 ? undefined : values;
  },
};
const metadataSetter: TextMapSetter<Metadata> = { set: (carrier, key, value) => carrier.set(key, value) };

/** Writes the active (or given) trace context into gRPC metadata. */
export function injectGrpc(metadata: Metadata, ctx: Context = context.active()): void {
  w3c.inject(ctx, metadata, metadataSetter);
}

/** The trace context a gRPC caller sent. */
export function extractGrpc(metadata: Metadata, ctx: Context = context.active()): Context {
  return w3c.extract(ctx, metadata, metadataGetter);
}

/** Headers as NATS carries them: a string map view (the bus adapter converts). */
export type HeaderCarrier = Record<string, string>;

const recordGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};
const recordSetter: TextMapSetter<HeaderCarrier> = { set: (carrier, key, value) => { carrier[key] = value; } };

export function injectHeaders(headers: HeaderCarrier, ctx: Context = context.active()): HeaderCarrier {
  w3c.inject(ctx, headers, recordSetter);
  return headers;
}

export function extractHeaders(headers: HeaderCarrier, ctx: Context = context.active()): Context {
  return w3c.extract(ctx, headers, recordGetter);
}

/** The trace id of the active span, or '' when there is none. */
export function activeTraceId(ctx: Context = context.active()): string {
  const span = trace.getSpanContext(ctx);
  return span && trace.isSpanContextValid(span) ? span.traceId : '';
}

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces. Unset: spans are not exported. */
  otlpEndpoint?: string;
  /** Tests: export here instead (synchronously). */
  exporter?: SpanExporter;
}

export interface TracingHandle extends AsyncDisposable {
  tracer: Tracer;
}

let installed = false;

/**
 * Installs the async context manager and W3C propagator (once per process) and a
 * tracer provider. Call from main.ts or the all-in-one runner, never at import.
 */
export function initTracing(options: TracingOptions): TracingHandle {
  if (!installed) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(w3c);
    installed = true;
  }
  const processors: SpanProcessor[] = [];
  if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
  if (options.otlpEndpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint })));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
  });
  if (processors.length > 0) {
    trace.setGlobalTracerProvider(provider);
    setTracingActive(true);
  }
  return {
    tracer: processors.length > 0 ? provider.getTracer(options.serviceName) : trace.getTracer(options.serviceName),
    [Symbol.asyncDispose]: async () => {
      if (processors.length > 0) setTracingActive(false);
      await provider.shutdown();
    },
  };
}
