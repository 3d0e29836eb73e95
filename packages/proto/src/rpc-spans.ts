import type { DescMethod } from '@bufbuild/protobuf';
import { SpanKind, context, contextWith, endSpan, startSpan, tracingActive, type Context } from '@switchyard/obs';

/** A span around one RPC, or nothing when tracing is off. `ctx` is the context to run (or inject) under. */
export interface RpcSpan {
  readonly ctx: Context;
  end(err?: unknown): void;
}

function open(method: DescMethod, kind: SpanKind, parent: Context): RpcSpan {
  if (!tracingActive()) return { ctx: parent, end: () => {} };
  const span = startSpan(`${method.parent.typeName}/${method.name}`, kind, {
    'rpc.system': 'grpc',
    'rpc.service': method.parent.typeName,
    'rpc.method': method.name,
  }, parent);
  let ended = false;
  return {
    ctx: contextWith(span, parent),
    end: (err?: unknown) => {
      if (ended) return;
      ended = true;
      endSpan(span, err);
    },
  };
}

/** The callee's span, under the trace context the caller sent. */
export function serverSpan(method: DescMethod, parent: Context): RpcSpan {
  return open(method, SpanKind.SERVER, parent);
}

/** The caller's span, under the active context; its context is what the call carries. */
export function clientSpan(method: DescMethod): RpcSpan {
  return open(method, SpanKind.CLIENT, context.active());
}
