import { describe, expect, it } from 'vitest';
import { retryAfterSeconds, statusError, upstreamMessage } from '../../src/adapters/http/status.js';

const enc = new TextEncoder();
const openaiError = enc.encode('{"error":{"message":"Invalid value for temperature","type":"invalid_request_error","param":"temperature","code":null}}');
const anthropicError = enc.encode('{"type":"error","error":{"type":"not_found_error","message":"model: claude-9"}}');

describe('upstream status mapping', () => {
  it('returns 400/404/422 as invalid_argument with the provider message', () => {
    expect(statusError('openai', 400, {}, openaiError)).toMatchObject({ kind: 'invalid_argument', message: 'Invalid value for temperature', upstreamStatus: 400 });
    expect(statusError('anthropic', 404, {}, anthropicError)).toMatchObject({ kind: 'invalid_argument', message: 'model: claude-9', upstreamStatus: 404 });
    expect(statusError('x', 422, {}, enc.encode('unprocessable'))).toMatchObject({ kind: 'invalid_argument', message: 'unprocessable', upstreamStatus: 422 });
  });

  it('maps auth failures, rate limits, timeouts and server errors to retryable kinds', () => {
    expect(statusError('openai', 401, {}, openaiError)).toMatchObject({ kind: 'upstream_rejected', upstreamStatus: 401 });
    expect(statusError('openai', 429, { 'retry-after': '2' }, openaiError)).toMatchObject({ kind: 'upstream_error', code: 'upstream_rate_limited', retryAfterSeconds: 2 });
    expect(statusError('openai', 408, {}, new Uint8Array())).toMatchObject({ kind: 'upstream_timeout' });
    expect(statusError('anthropic', 529, {}, anthropicError)).toMatchObject({ kind: 'upstream_error', upstreamStatus: 529 });
    expect(statusError('openai', 413, {}, new Uint8Array()).kind).toBe('payload_too_large');
  });

  it('reads retry-after-ms, retry-after seconds and dates', () => {
    expect(retryAfterSeconds({ 'retry-after-ms': '250' })).toBe(0.25);
    expect(retryAfterSeconds({ 'retry-after': '3' })).toBe(3);
    expect(retryAfterSeconds({ 'retry-after': new Date(10_000).toUTCString() }, 4_000)).toBe(6);
    expect(retryAfterSeconds({})).toBeUndefined();
  });

  it('extracts messages from either envelope or plain text', () => {
    expect(upstreamMessage(anthropicError)).toBe('model: claude-9');
    expect(upstreamMessage(enc.encode('  '))).toBeUndefined();
  });
});
