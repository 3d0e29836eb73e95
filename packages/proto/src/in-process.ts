import type { DescMessage, DescMethod, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { toMessage } from './message.js';
import { clientSpan, serverSpan, type RpcSpan } from './rpc-spans.js';
import { Metadata, status } from '@grpc/grpc-js';
import { SwitchyardError, fromGrpcError, toGrpcStatus } from '@switchyard/errors';
import { context } from '@switchyard/obs';
import type { CallOptions, HandlerContext, ServerStreamingHandler, ServiceClient, UnaryHandler } from './grpc-types.js';

type AnyHandler = UnaryHandler<DescMessage, DescMessage> | ServerStreamingHandler<DescMessage, DescMessage>;

interface Served {
  service: DescService;
  handlers: Record<string, AnyHandler>;
}

/**
 * In-process calls: when a process serves a service and also calls it (the all-in-one
 * runner), `createClient` can call the handlers directly instead of going through
 * HTTP/2 on loopback. Same typed client, same handler context (signal, deadline, trace),
 * same errors as the wire gives (kinds, safe messages); only serialisation and the
 * socket are skipped. Off unless a process turns it on with `useInProcessCalls()`.
 */
let enabled = false;
const byImplementation = new WeakMap<object, Served>();
const byAddress = new Map<string, Map<string, Served>>();

export function useInProcessCalls(on = true): void {
  enabled = on;
}

/** Called by implementService: remembers the typed handlers behind a grpc-js implementation. */
export function rememberHandlers(implementation: object, service: DescService, handlers: Record<string, AnyHandler>): void {
  byImplementation.set(implementation, { service, handlers });
}

/** Called by startGrpcServer once bound; returns the function that forgets the address. */
export function registerAddress(address: string, implementations: readonly object[]): () => void {
  if (!enabled) return () => {};
  const services = new Map<string, Served>();
  for (const impl of implementations) {
    const served = byImplementation.get(impl);
    if (served) services.set(served.service.typeName, served);
  }
  byAddress.set(address, services);
  return () => { if (byAddress.get(address) === services) byAddress.delete(address); };
}

interface CallSignal {
  signal: AbortSignal;
  controller: AbortController;
  done(): void;
}

function callSignal(options: CallOptions | undefined): CallSignal {
  const controller = new AbortController();
  const onCallerAbort = (): void => controller.abort(new DOMException('cancelled by caller', 'AbortError'));
  const caller = options?.signal;
  if (caller?.aborted) onCallerAbort();
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = options?.timeoutMs
    ? setTimeout(() => controller.abort(new DOMException('deadline exceeded', 'TimeoutError')), options.timeoutMs)
    : undefined;
  return {
    signal: controller.signal,
    controller,
    done: () => { clearTimeout(timer); caller?.removeEventListener('abort', onCallerAbort); },
  };
}

/** The error the client would have seen over the wire. */
function asOverTheWire(err: unknown, signal: AbortSignal): SwitchyardError {
  if (signal.aborted) {
    const timedOut = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
    return fromGrpcError({ code: timedOut ? status.DEADLINE_EXCEEDED : status.CANCELLED, details: timedOut ? 'Deadline exceeded' : 'Cancelled on client' });
  }
  const wire = toGrpcStatus(err);
  return fromGrpcError({ code: wire.code, details: wire.details, metadata: wire.metadata });
}

/** Settles with `work`, or rejects as soon as the call's signal aborts (the handler sees the same signal and stops). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

function handlerContext(signal: AbortSignal, options: CallOptions | undefined, server: RpcSpan): HandlerContext {
  return { signal, metadata: options?.metadata ?? new Metadata(), traceContext: server.ctx };
}

/** The same two spans a call over the wire makes: the caller's, and the callee's under it. */
function callSpans(method: DescMethod): { client: RpcSpan; server: RpcSpan; end(err?: unknown): void } {
  const client = clientSpan(method);
  const server = serverSpan(method, client.ctx);
  return { client, server, end: (err?: unknown) => { server.end(err); client.end(err); } };
}

function unaryCall(method: DescMethod, handler: UnaryHandler<DescMessage, DescMessage>) {
  return async (request: MessageInitShape<DescMessage>, options?: CallOptions): Promise<MessageShape<DescMessage>> => {
    const call = callSignal(options);
    const spans = callSpans(method);
    try {
      const work = context.with(spans.server.ctx, () => handler(toMessage(method.input, request), handlerContext(call.signal, options, spans.server)));
      const response = await untilAborted(work, call.signal);
      spans.end();
      return toMessage(method.output, response);
    } catch (err) {
      const failure = asOverTheWire(err, call.signal);
      spans.end(failure);
      throw failure;
    } finally {
      call.done();
    }
  };
}

function streamCall(method: DescMethod, handler: ServerStreamingHandler<DescMessage, DescMessage>) {
  return async function* (request: MessageInitShape<DescMessage>, options?: CallOptions): AsyncGenerator<MessageShape<DescMessage>> {
    const call = callSignal(options);
    const spans = callSpans(method);
    const items = handler(toMessage(method.input, request), handlerContext(call.signal, options, spans.server))[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const next = await untilAborted(context.with(spans.server.ctx, () => items.next()), call.signal);
        if (next.done) { finished = true; return; }
        yield toMessage(method.output, next.value);
      }
    } catch (err) {
      const failure = asOverTheWire(err, call.signal);
      spans.end(failure);
      throw failure;
    } finally {
      spans.end();
      // The consumer stopped early, or the call failed: the handler sees a cancellation, as over gRPC.
      if (!finished) {
        call.controller.abort(new DOMException('cancelled by caller', 'AbortError'));
        void items.return?.(undefined)?.catch(() => undefined);
      }
      call.done();
    }
  };
}

/** A client that calls the handlers served at `address` in this process, if any are. */
export function inProcessClient<S extends DescService>(service: S, address: string): ServiceClient<S> | undefined {
  const served = byAddress.get(address)?.get(service.typeName);
  if (!served) return undefined;
  const methods: Record<string, unknown> = {};
  for (const method of service.methods) {
    const handler = served.handlers[method.localName];
    if (!handler) return undefined;
    methods[method.localName] = method.methodKind === 'unary'
      ? unaryCall(method, handler as UnaryHandler<DescMessage, DescMessage>)
      : streamCall(method, handler as ServerStreamingHandler<DescMessage, DescMessage>);
  }
  return methods as ServiceClient<S>;
}
