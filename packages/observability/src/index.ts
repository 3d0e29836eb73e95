export { createLogger, REDACT_PATHS, type Logger, type LoggerConfig } from './logger.js';
export {
  createRegistry, metricsText, counter, histogram, gauge, LATENCY_BUCKETS, Registry, Counter, Histogram, Gauge,
  type MetricsOptions,
} from './metrics.js';
export {
  injectGrpc, extractGrpc, injectHeaders, extractHeaders, activeTraceId, initTracing, context, trace,
  type Context, type Tracer, type HeaderCarrier, type TracingOptions, type TracingHandle,
} from './tracing.js';
export { startOpsServer, type OpsServer, type OpsServerOptions } from './ops-server.js';
export { tracingActive, startSpan, endSpan, contextWith, traceparentOf, activeTraceparent, extractHttp, type IncomingHeaders, SpanKind, SpanStatusCode, type Span, type Attributes } from './spans.js';
