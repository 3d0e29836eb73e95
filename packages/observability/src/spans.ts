import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

export { SpanKind, SpanStatusCode, type Span, type Attributes } from '@opentelemetry/api';

/**
 * Whether spans are recorded (initTracing installed a provider with an exporter). Hot
 * paths check this first and create no span at all when it is false, so tracing that is
 * off costs one branch per request.
 */
let recording = false;

export function tracingActive(): boolean {
  return recording;
}

/** Called by initTracing. */
export function setTracingActive(on: boolean): void {
  recording = on;
}

const SCOPE = 'switchyard';

/** Starts a span under `parent` (the active context by default). */
export function startSpan(name: string, kind: SpanKind, attributes: Attributes, parent: Context = context.active()): Span {
  return trace.getTracer(SCOPE).startSpan(name, { kind, attributes }, parent);
}

/** The context in which `span` is the active one. */
export function contextWith(span: Span, parent: Context = context.active()): Context {
  return trace.setSpan(parent, span);
}

/** Ends `span`, recording `err` (its kind and message, never its stack) as the span's error status. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    const kind = typeof err === 'object' && err !== null && typeof (err as { kind?: unknown }).kind === 'string' ? (err as { kind: string }).kind : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    span.setAttribute('switchyard.error.kind', kind);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

/** `span` as a W3C traceparent header value. */
export function traceparentOf(span: Span): string {
  const sc = span.spanContext();
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The active span as a traceparent, or undefined when no span is active. */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  return span === undefined ? undefined : traceparentOf(span);
}

const headerGetter = {
  keys: (carrier: IncomingHeaders): string[] => Object.keys(carrier),
  get: (carrier: IncomingHeaders, key: string): string | string[] | undefined => carrier[key],
};

/** Node's incoming headers (lower-case names). */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

/** The trace context a caller sent in HTTP headers (W3C traceparent/tracestate). */
export function extractHttp(headers: IncomingHeaders): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}
