import { SwitchyardError } from '@switchyard/errors';

/**
 * The fields of an OpenAI chat request that the edge routes and polices on. The
 * parsed body is checked in place and returned as this type (no copy); the original
 * bytes travel to llm-proxy untouched.
 */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly { readonly role: string }[];
  readonly stream?: boolean | null;
  readonly stream_options?: Readonly<Record<string, unknown>> | null;
  readonly max_tokens?: number | null;
  readonly max_completion_tokens?: number | null;
  readonly tools?: readonly unknown[] | null;
}

function invalid(message: string, param?: string): SwitchyardError {
  return new SwitchyardError('invalid_argument', message, param === undefined ? {} : { param });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses once and validates; throws `invalid_argument` with `param` set. */
export function parseChatRequest(text: string): ChatRequest {
  if (text.length === 0) throw invalid('request body is empty: expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('request body is not valid JSON');
  }
  return validateChatRequest(value);
}

export function validateChatRequest(value: unknown): ChatRequest {
  if (!isObject(value)) throw invalid('request body must be a JSON object');
  const model = value.model;
  if (model === undefined || model === null) throw invalid("missing required parameter: 'model'", 'model');
  if (typeof model !== 'string' || model.length === 0) throw invalid("'model' must be a non-empty string", 'model');
  validateMessages(value.messages);
  validateOptional(value);
  return value as unknown as ChatRequest;
}

function validateMessages(messages: unknown): void {
  if (messages === undefined || messages === null) throw invalid("missing required parameter: 'messages'", 'messages');
  if (!Array.isArray(messages) || messages.length === 0) throw invalid("'messages' must be a non-empty array", 'messages');
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (!isObject(m)) throw invalid(`'messages[${i}]' must be an object`, `messages[${i}]`);
    if (typeof m.role !== 'string') throw invalid(`'messages[${i}].role' must be a string`, `messages[${i}].role`);
  }
}

/** Optional fields: absent or null are fine; anything else must have the right type. */
function validateOptional(body: Record<string, unknown>): void {
  const { stream, stream_options: streamOptions, max_tokens: maxTokens, max_completion_tokens: maxCompletion, tools } = body;
  if (stream != null && typeof stream !== 'boolean') throw invalid("'stream' must be a boolean", 'stream');
  if (streamOptions != null && !isObject(streamOptions)) throw invalid("'stream_options' must be an object", 'stream_options');
  if (maxTokens != null && !isPositiveInteger(maxTokens)) throw invalid("'max_tokens' must be a positive integer", 'max_tokens');
  if (maxCompletion != null && !isPositiveInteger(maxCompletion)) {
    throw invalid("'max_completion_tokens' must be a positive integer", 'max_completion_tokens');
  }
  if (tools != null && !Array.isArray(tools)) throw invalid("'tools' must be an array", 'tools');
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/**
 * Whether a Content-Type names JSON: missing (lenient, as curl users expect),
 * `application/json` with or without parameters, or any `+json` type.
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.length === 0) return true;
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

export function assertJsonContentType(contentType: string | undefined): void {
  if (!isJsonContentType(contentType)) {
    throw invalid(`unsupported content-type '${contentType ?? ''}': send the request body as application/json`);
  }
}
