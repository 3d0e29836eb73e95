import { describe, it, expect } from 'vitest';
import { Metadata, status } from '@grpc/grpc-js';
import {
  ERROR_KINDS, KINDS, SwitchyardError, fromGrpcError, toAnthropicError, toGrpcStatus, toJsonRpcError, toOpenAIError,
  toSwitchyardError,
} from '../../src/index.js';

describe('error vocabulary', () => {
  it('round-trips every kind through gRPC status and trailing metadata', () => {
    for (const kind of ERROR_KINDS) {
      const original = new SwitchyardError(kind, `boom ${kind}`, { code: `c_${kind}`, param: 'model', upstreamStatus: 429, retryAfterSeconds: 3 });
      const wire = toGrpcStatus(original);
      expect(wire.code).toBe(KINDS[kind].grpc);
      const back = fromGrpcError({ code: wire.code, details: wire.details, metadata: wire.metadata });
      expect(back.kind).toBe(kind);
      expect(back.code).toBe(`c_${kind}`);
      expect(back.param).toBe('model');
      expect(back.upstreamStatus).toBe(429);
      expect(back.retryAfterSeconds).toBe(3);
      expect(back.message).toBe(kind === 'internal' ? 'internal error' : `boom ${kind}`);
    }
  });

  it('never leaks the message of an unknown error', () => {
    const e = toSwitchyardError(new Error('password=hunter2'));
    expect(e.kind).toBe('internal');
    expect(toOpenAIError(e).body.error.message).toBe('internal error');
    expect(toGrpcStatus(new TypeError('secret')).details).toBe('internal error');
  });

  it('maps transport failures without a kind to their meaning', () => {
    const e = fromGrpcError({ code: status.UNAVAILABLE, details: 'No connection established', metadata: new Metadata() });
    expect(e.kind).toBe('unavailable');
    expect(e.message).toBe('internal service unavailable');
    expect(fromGrpcError({ code: status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' }).kind).toBe('upstream_timeout');
  });

  it('builds the OpenAI envelope with retry-after for 429s', () => {
    const r = toOpenAIError(new SwitchyardError('rate_limited', 'slow down', { retryAfterSeconds: 1.2 }));
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('2');
    expect(r.body).toEqual({ error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limited' } });
  });

  it('builds Anthropic and JSON-RPC shapes', () => {
    const e = new SwitchyardError('unauthenticated', 'bad key');
    expect(toAnthropicError(e)).toMatchObject({ status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'bad key' } } });
    expect(toJsonRpcError(new SwitchyardError('invalid_argument', 'no such tool'))).toEqual({
      code: -32602, message: 'no such tool', data: { kind: 'invalid_argument', code: 'invalid_argument' },
    });
  });

  it('only upstream faults allow a fallback', () => {
    const fallbacks = ERROR_KINDS.filter((k) => KINDS[k].fallback).sort();
    expect(fallbacks).toEqual(['upstream_error', 'upstream_rejected', 'upstream_timeout']);
  });

  it('treats aborts as cancellations', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(toSwitchyardError(abort).kind).toBe('cancelled');
  });
});
