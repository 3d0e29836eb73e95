import type { DescMessage, DescMethod, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { Metadata } from '@grpc/grpc-js';
import type { Context } from '@switchyard/obs';

/** What every handler gets besides its request. */
export interface HandlerContext {
  /** Aborted when the caller cancels or its deadline passes. */
  signal: AbortSignal;
  metadata: Metadata;
  /** The caller's trace context (from `traceparent` in the metadata). */
  traceContext: Context;
}

export type UnaryHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  ctx: HandlerContext,
) => Promise<MessageInitShape<O>>;

export type ServerStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  ctx: HandlerContext,
) => AsyncIterable<MessageInitShape<O>>;

type MethodOf<S extends DescService, K extends keyof S['method']> = S['method'][K];

/** The handlers a service implementation provides, keyed by the methods' local names. */
export type ServiceImplementation<S extends DescService> = {
  [K in keyof S['method']]: MethodOf<S, K> extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? UnaryHandler<I, O>
    : MethodOf<S, K> extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? ServerStreamingHandler<I, O>
      : never;
};

export interface CallOptions {
  signal?: AbortSignal;
  /** Milliseconds until the call's deadline. */
  timeoutMs?: number;
  metadata?: Metadata;
}

/** A typed client: unary methods return a promise, server-streaming ones an async iterable. */
export type ServiceClient<S extends DescService> = {
  [K in keyof S['method']]: MethodOf<S, K> extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? (request: MessageInitShape<I>, options?: CallOptions) => Promise<MessageShape<O>>
    : MethodOf<S, K> extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? (request: MessageInitShape<I>, options?: CallOptions) => AsyncIterable<MessageShape<O>>
      : never;
};

export type AnyMethod = DescMethod;
