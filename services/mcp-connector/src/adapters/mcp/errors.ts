import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { RpcError, UpstreamError } from '../../domain/ports.js';

/** SDK failures in the domain's terms; a JSON-RPC error from the upstream keeps its code, message and data. */
export function classify(err: unknown): UpstreamError | RpcError {
  if (err instanceof UpstreamError || err instanceof RpcError) return err;
  if (err instanceof ProtocolError) {
    const message = err.message.replace(/^MCP error -?\d+: /, '');
    return new RpcError({ code: err.code, message, ...(err.data === undefined ? {} : { data: err.data }) });
  }
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof SdkHttpError && (err.status === 401 || err.status === 403)) {
    return new UpstreamError('unauthorized', message, { cause: err });
  }
  if (err instanceof SdkError) {
    switch (err.code) {
      case SdkErrorCode.RequestTimeout: return new UpstreamError('timeout', message, { cause: err });
      case SdkErrorCode.ConnectionClosed:
      case SdkErrorCode.NotConnected:
      case SdkErrorCode.SendFailed: return new UpstreamError('closed', message, { cause: err });
      default: break;
    }
  }
  if (err instanceof ProtocolError) return new UpstreamError('error', message, { cause: err });
  if (err instanceof Error && /ECONNREFUSED|fetch failed|socket hang up|EPIPE/.test(`${message} ${String(err.cause)}`)) {
    return new UpstreamError('closed', message, { cause: err });
  }
  return new UpstreamError('error', message, { cause: err });
}

/** An HTTP status that says "no Streamable HTTP here" (the spec's cue to try the 2024-11-05 SSE transport). */
export function suggestsLegacySse(err: unknown): boolean {
  const status = err instanceof SdkHttpError ? err.status : undefined;
  return status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403;
}
