import { KINDS } from './kinds.js';
import { toSwitchyardError } from './error.js';

/** The OpenAI error envelope, which the official SDKs parse. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Anthropic's error shape, for Anthropic-compatible routes. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

export interface HttpError<B> {
  status: number;
  headers: Record<string, string>;
  body: B;
}

function retryHeaders(retryAfterSeconds: number | undefined): Record<string, string> {
  return retryAfterSeconds === undefined ? {} : { 'retry-after': String(Math.max(0, Math.ceil(retryAfterSeconds))) };
}

export function toOpenAIError(err: unknown): HttpError<OpenAIErrorBody> {
  const e = toSwitchyardError(err);
  return {
    status: KINDS[e.kind].http,
    headers: retryHeaders(e.retryAfterSeconds),
    body: { error: { message: e.publicMessage, type: KINDS[e.kind].type, param: e.param ?? null, code: e.code } },
  };
}

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

export function toAnthropicError(err: unknown): HttpError<AnthropicErrorBody> {
  const e = toSwitchyardError(err);
  const status = KINDS[e.kind].http;
  return {
    status,
    headers: retryHeaders(e.retryAfterSeconds),
    body: { type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? 'api_error', message: e.publicMessage } },
  };
}
