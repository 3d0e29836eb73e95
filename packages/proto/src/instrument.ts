import { toSwitchyardError } from '@switchyard/errors';
import type { Histogram, Logger } from '@switchyard/obs';
import type { HandlerContext } from './grpc-types.js';

export interface RpcInstruments {
  logger: Logger;
  /** `switchyard_<service>_rpc_seconds{rpc,outcome}`; outcome is `ok` or the error kind. */
  rpcSeconds: Histogram<'rpc' | 'outcome'>;
}

/**
 * Times every call of a handler and logs a failure once, here, where it becomes a
 * status: internal errors at error level with their cause, caller and policy errors at
 * debug level.
 */
export function instrumentHandler<Req, Res>(
  rpc: string,
  handler: (request: Req, ctx: HandlerContext) => Promise<Res>,
  instruments: RpcInstruments,
): (request: Req, ctx: HandlerContext) => Promise<Res> {
  return async (request, ctx) => {
    const stop = instruments.rpcSeconds.startTimer({ rpc });
    try {
      const response = await handler(request, ctx);
      stop({ outcome: 'ok' });
      return response;
    } catch (err) {
      const e = toSwitchyardError(err);
      stop({ outcome: e.kind });
      if (e.kind === 'internal') instruments.logger.error({ err: e.cause ?? e, rpc }, 'rpc.failed');
      else instruments.logger.debug({ rpc, kind: e.kind, code: e.code, param: e.param }, 'rpc.rejected');
      throw e;
    }
  };
}
