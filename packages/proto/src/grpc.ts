import { fromBinary, toBinary, type DescMessage, type DescMethod, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { fromGrpcError, toGrpcStatus } from '@switchyard/errors';
import { context, extractGrpc, injectGrpc, type Context } from '@switchyard/obs';
import { toMessage } from './message.js';
import { clientSpan, serverSpan } from './rpc-spans.js';
import { inProcessClient, registerAddress, rememberHandlers } from './in-process.js';
import type { CallOptions, HandlerContext, ServerStreamingHandler, ServiceClient, ServiceImplementation, UnaryHandler } from './grpc-types.js';

export type * from './grpc-types.js';

/** Channel options shared by servers and clients: large pass-through bodies, keepalive. */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  // Channelz bookkeeping and the transparent-retry layer cost CPU on every call; retries
  // are llm-proxy's job (with its own policy), and channelz is not exposed.
  'grpc.enable_channelz': 0,
  'grpc.enable_retries': 0,
};

/**
 * Clients spread calls over every address their target resolves to (`round_robin`), so
 * behind a headless Service (Helm `grpcDiscovery: headless`) each edge replica balances
 * per call across every pod rather than pinning one (grpc-js's default is pick-first).
 * A target with one address (a ClusterIP Service, a Unix socket) behaves as before.
 */
export const CLIENT_OPTIONS: grpc.ChannelOptions = {
  ...CHANNEL_OPTIONS,
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
};

/**
 * Servers close each connection (GOAWAY) after 5 minutes, so clients resolve their target
 * again and find pods the HPA added; calls in flight finish first (no grace limit: chat
 * and tool streams may be long).
 */
export const SERVER_OPTIONS: grpc.ChannelOptions = {
  ...CHANNEL_OPTIONS,
  'grpc.max_connection_age_ms': 5 * 60_000,
};

function serializer<D extends DescMessage>(schema: D): (value: MessageInitShape<D>) => Buffer {
  return (value) => {
    const bytes = toBinary(schema, toMessage(schema, value));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer<D extends DescMessage>(schema: D): (bytes: Buffer) => MessageShape<D> {
  return (bytes) => fromBinary(schema, bytes);
}

function methodPath(service: DescService, method: DescMethod): string {
  return `/${service.typeName}/${method.name}`;
}

/** A grpc-js service definition from a protobuf-es service descriptor (unary and server-streaming). */
export function createServiceDefinition(service: DescService): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<MessageInitShape<DescMessage>, MessageShape<DescMessage>>> = {};
  for (const method of service.methods) {
    if (method.methodKind !== 'unary' && method.methodKind !== 'server_streaming') {
      throw new Error(`${service.typeName}.${method.name}: ${method.methodKind} methods are not supported`);
    }
    definition[method.localName] = {
      path: methodPath(service, method),
      requestStream: false,
      responseStream: method.methodKind === 'server_streaming',
      requestSerialize: serializer(method.input),
      requestDeserialize: deserializer(method.input),
      responseSerialize: serializer(method.output),
      responseDeserialize: deserializer(method.output),
      originalName: method.name,
    };
  }
  return definition as grpc.ServiceDefinition;
}

interface LiveCall {
  ctx: HandlerContext;
  /** The handler finished: a later 'cancelled' (grpc-js emits it as the stream closes) aborts nothing. */
  settle(): void;
}

function handlerContext(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): LiveCall {
  const abort = new AbortController();
  let settled = false;
  call.on('cancelled', () => {
    if (!settled) abort.abort(new DOMException('cancelled by caller', 'AbortError'));
  });
  return {
    ctx: { signal: abort.signal, metadata: call.metadata, traceContext: extractGrpc(call.metadata) },
    settle: () => { settled = true; },
  };
}

/** `fn` under `ctx`; without entering the context manager when `ctx` is already the active one (no trace came in, tracing off). */
function runIn<T>(ctx: Context, fn: () => Promise<T>): Promise<T> {
  return ctx === context.active() ? fn() : context.with(ctx, fn);
}

/**
 * grpc-js captures `new Error()` on every call to give failed calls the caller's stack;
 * a stack trace costs more than the rest of starting the call. Our errors carry their own
 * kind and message (fromGrpcError), never that stack, so the capture is switched off
 * for the synchronous start of the call only.
 */
function withoutStack<T>(start: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function unary(method: DescMethod, handler: UnaryHandler<DescMessage, DescMessage>): grpc.handleUnaryCall<MessageShape<DescMessage>, MessageShape<DescMessage>> {
  return (call, callback) => {
    const { ctx, settle } = handlerContext(call);
    const span = serverSpan(method, ctx.traceContext);
    ctx.traceContext = span.ctx;
    runIn(span.ctx, () => handler(call.request, ctx)).then(
      (response) => { settle(); span.end(); callback(null, toMessage(method.output, response)); },
      (err: unknown) => { settle(); span.end(err); callback(toGrpcStatus(err)); },
    );
  };
}

function serverStreaming(method: DescMethod, handler: ServerStreamingHandler<DescMessage, DescMessage>): grpc.handleServerStreamingCall<MessageShape<DescMessage>, MessageShape<DescMessage>> {
  return (call) => {
    const { ctx, settle } = handlerContext(call);
    const span = serverSpan(method, ctx.traceContext);
    ctx.traceContext = span.ctx;
    const run = async (): Promise<void> => {
      for await (const item of handler(call.request, ctx)) {
        if (ctx.signal.aborted) return;
        if (!call.write(toMessage(method.output, item))) {
          await new Promise<void>((resolve) => {
            const done = (): void => { call.off('drain', done); call.off('cancelled', done); resolve(); };
            call.on('drain', done);
            call.on('cancelled', done);
          });
        }
      }
      settle();
      span.end();
      call.end();
    };
    runIn(ctx.traceContext, run).catch((err: unknown) => {
      const aborted = ctx.signal.aborted;
      settle();
      span.end(err);
      if (!aborted) call.emit('error', toGrpcStatus(err));
    });
  };
}

/** Turns typed handlers into a grpc-js implementation; errors become statuses with their kind in the trailers. */
export function implementService<S extends DescService>(service: S, impl: ServiceImplementation<S>): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  const table = impl as Record<string, UnaryHandler<DescMessage, DescMessage> | ServerStreamingHandler<DescMessage, DescMessage>>;
  for (const method of service.methods) {
    const handler = table[method.localName];
    if (!handler) throw new Error(`${service.typeName}.${method.name} has no handler`);
    handlers[method.localName] = method.methodKind === 'unary'
      ? unary(method, handler as UnaryHandler<DescMessage, DescMessage>)
      : serverStreaming(method, handler as ServerStreamingHandler<DescMessage, DescMessage>);
  }
  rememberHandlers(handlers, service, table);
  return handlers;
}

function callMetadata(options: CallOptions | undefined, ctx: Context): grpc.Metadata {
  const metadata = options?.metadata?.clone() ?? new grpc.Metadata();
  injectGrpc(metadata, ctx);
  return metadata;
}

function callOptions(options: CallOptions | undefined): grpc.CallOptions {
  return options?.timeoutMs ? { deadline: Date.now() + options.timeoutMs } : {};
}

function linkAbort(signal: AbortSignal | undefined, call: grpc.Call): () => void {
  if (!signal) return () => {};
  const onAbort = (): void => call.cancel();
  if (signal.aborted) call.cancel();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

function unaryCaller(client: grpc.Client, service: DescService, method: DescMethod) {
  const path = methodPath(service, method);
  const serialize = serializer(method.input);
  const deserialize = deserializer(method.output);
  return (request: MessageInitShape<DescMessage>, options?: CallOptions): Promise<MessageShape<DescMessage>> =>
    new Promise((resolve, reject) => {
      let unlink = (): void => {};
      const span = clientSpan(method);
      const metadata = callMetadata(options, span.ctx);
      const call = withoutStack(() => client.makeUnaryRequest(path, serialize, deserialize, request, metadata, callOptions(options), (err, value) => {
        unlink();
        const failure = err ? fromGrpcError(err) : value === undefined ? fromGrpcError({ code: grpc.status.INTERNAL, details: 'empty response' }) : undefined;
        span.end(failure);
        if (failure) reject(failure);
        else resolve(value as MessageShape<DescMessage>);
      }));
      unlink = linkAbort(options?.signal, call);
    });
}

function streamCaller(client: grpc.Client, service: DescService, method: DescMethod) {
  const path = methodPath(service, method);
  const serialize = serializer(method.input);
  const deserialize = deserializer(method.output);
  return async function* (request: MessageInitShape<DescMessage>, options?: CallOptions): AsyncGenerator<MessageShape<DescMessage>> {
    const span = clientSpan(method);
    const metadata = callMetadata(options, span.ctx);
    const call = withoutStack(() => client.makeServerStreamRequest(path, serialize, deserialize, request, metadata, callOptions(options)));
    const unlink = linkAbort(options?.signal, call);
    try {
      for await (const item of call as AsyncIterable<MessageShape<DescMessage>>) yield item;
    } catch (err) {
      const failure = fromGrpcError(err);
      span.end(failure);
      throw failure;
    } finally {
      span.end();
      unlink();
      call.cancel();
    }
  };
}

export interface GrpcClient<S extends DescService> extends Disposable {
  client: ServiceClient<S>;
  /** Resolves when the channel is connected (or rejects after the timeout). */
  waitForReady(timeoutMs: number): Promise<void>;
  close(): void;
}

/** A typed client for `service` at `address` (host:port); insecure inside the cluster network. */
export function createClient<S extends DescService>(service: S, address: string, options: grpc.ChannelOptions = {}): GrpcClient<S> {
  const local = inProcessClient(service, address);
  if (local) return { client: local, waitForReady: async () => {}, close: () => {}, [Symbol.dispose]: () => {} };
  const raw = new grpc.Client(address, grpc.credentials.createInsecure(), { ...CLIENT_OPTIONS, ...options });
  const methods: Record<string, unknown> = {};
  for (const method of service.methods) {
    methods[method.localName] = method.methodKind === 'unary' ? unaryCaller(raw, service, method) : streamCaller(raw, service, method);
  }
  return {
    client: methods as ServiceClient<S>,
    waitForReady: (timeoutMs) =>
      new Promise((resolve, reject) => raw.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(fromGrpcError(err)) : resolve()))),
    close: () => raw.close(),
    [Symbol.dispose]: () => raw.close(),
  };
}

export interface GrpcServerHandle extends AsyncDisposable {
  server: grpc.Server;
  /** The bound port (useful with port 0); 0 on a Unix domain socket. */
  port: number;
  /** What a client dials: `host:port`, or the `unix:` address as given. */
  address: string;
  /** Graceful: waits for in-flight calls up to `graceMs`, then forces. */
  shutdown(graceMs?: number): Promise<void>;
}

export interface ServiceBinding {
  service: DescService;
  implementation: grpc.UntypedServiceImplementation;
}

/**
 * Binds a grpc-js server with these services on host:port, or on a Unix domain socket
 * when `host` is a `unix:<path>` address (the port is then ignored).
 */
export async function startGrpcServer(bindings: readonly ServiceBinding[], host: string, port: number): Promise<GrpcServerHandle> {
  const server = new grpc.Server(SERVER_OPTIONS);
  for (const b of bindings) server.addService(createServiceDefinition(b.service), b.implementation);
  const unix = host.startsWith('unix:');
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(unix ? host : `${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const address = unix ? host : `${host}:${bound}`;
  // Callers in this process may call these handlers directly (when useInProcessCalls is on).
  const forget = registerAddress(address, bindings.map((b) => b.implementation));
  const shutdown = (graceMs = 10_000): Promise<void> =>
    new Promise((resolve) => {
      forget();
      const force = setTimeout(() => { server.forceShutdown(); resolve(); }, graceMs);
      force.unref();
      server.tryShutdown(() => { clearTimeout(force); resolve(); });
    });
  return { server, port: unix ? 0 : bound, address, shutdown, [Symbol.asyncDispose]: () => shutdown(2_000) };
}
