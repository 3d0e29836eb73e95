import type { IncomingHttpHeaders } from 'node:http';
import { SwitchyardError } from '@switchyard/errors';

const MAX_MESSAGE = 1_000;
const decoder = new TextDecoder();

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Seconds the provider asks us to wait (`retry-after-ms`, `retry-after` as seconds or a date). */
export function retryAfterSeconds(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && header(headers, 'retry-after-ms') !== undefined) return ms / 1000;
  const raw = header(headers, 'retry-after');
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds : undefined;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** The message of an OpenAI (`{error:{message}}`) or Anthropic (`{type:"error",error:{message}}`) error body. */
export function upstreamMessage(body: Uint8Array): string | undefined {
  const text = decoder.decode(body);
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) {
      const error = (parsed as { error?: unknown }).error;
      if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
        return (error as { message: string }).message.slice(0, MAX_MESSAGE);
      }
      if (typeof error === 'string') return error.slice(0, MAX_MESSAGE);
      const message = (parsed as { message?: unknown }).message;
      if (typeof message === 'string') return message.slice(0, MAX_MESSAGE);
    }
  } catch {
    // not JSON: use the text
  }
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, MAX_MESSAGE);
}

/**
 * A non-2xx answer as an error: 400/404/422 (and other 4xx) are the caller's fault and
 * carry the provider's message; 401/402/403 reject the key; 429 and 5xx are retryable.
 */
export function statusError(name: string, status: number, headers: IncomingHttpHeaders, body: Uint8Array): SwitchyardError {
  const message = upstreamMessage(body);
  const detail = message === undefined ? '' : `: ${message}`;
  if (status === 401 || status === 402 || status === 403) {
    return new SwitchyardError('upstream_rejected', `${name} rejected the key (${status})${detail}`, { code: 'upstream_key_rejected', upstreamStatus: status });
  }
  if (status === 429) {
    const retry = retryAfterSeconds(headers);
    return new SwitchyardError('upstream_error', `${name} rate limited the request (429)${detail}`, {
      code: 'upstream_rate_limited',
      upstreamStatus: status,
      ...(retry !== undefined ? { retryAfterSeconds: retry } : {}),
    });
  }
  if (status === 408) return new SwitchyardError('upstream_timeout', `${name} timed out (408)${detail}`, { upstreamStatus: status });
  if (status === 413) return new SwitchyardError('payload_too_large', message ?? `${name}: request too large`, { upstreamStatus: status });
  if (status >= 400 && status < 500) {
    return new SwitchyardError('invalid_argument', message ?? `${name} rejected the request (${status})`, { code: 'upstream_invalid_request', upstreamStatus: status });
  }
  return new SwitchyardError('upstream_error', `${name} failed (${status})${detail}`, { upstreamStatus: status });
}
