import { SwitchyardError } from '@switchyard/errors';
import type { ChatRequest, JsonObject } from '../../../domain/types.js';
import { isRecord, type TransformContext } from '../spec.js';
import { translateMessages } from './messages.js';

export const DEFAULT_MAX_TOKENS = 4096;

function invalid(param: string, message: string): SwitchyardError {
  return new SwitchyardError('invalid_argument', message, { param, code: 'unsupported_parameter' });
}

function unsupported(param: string, why = 'is not supported by Anthropic models'): SwitchyardError {
  return invalid(param, `${param} ${why}`);
}

/**
 * OpenAI parameters with an Anthropic meaning, and those accepted only at values that mean
 * "off". Anything else is rejected by name: never silently dropped.
 */
const NEUTRAL: Record<string, (v: unknown) => boolean> = {
  n: (v) => v === 1,
  logprobs: (v) => v === false,
  presence_penalty: (v) => v === 0,
  frequency_penalty: (v) => v === 0,
  response_format: (v) => isRecord(v) && v.type === 'text',
  modalities: (v) => Array.isArray(v) && v.length === 1 && v[0] === 'text',
  store: (v) => v === false,
};
const MAPPED = new Set([
  'model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'stream',
  'stream_options', 'tools', 'tool_choice', 'parallel_tool_calls', 'user',
]);

function checkParams(body: JsonObject): void {
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined || value === null || MAPPED.has(name)) continue;
    const neutral = NEUTRAL[name];
    if (neutral) {
      if (!neutral(value)) throw unsupported(name, `=${JSON.stringify(value)} is not supported by Anthropic models`);
      continue;
    }
    throw unsupported(name);
  }
}

function number(body: JsonObject, name: string, min: number, max: number): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(name, `${name} must be a number`);
  if (v < min || v > max) throw invalid(name, `${name} must be between ${min} and ${max} for Anthropic models`);
  return v;
}

function maxTokens(body: JsonObject, ctx: TransformContext): number {
  const param = body.max_completion_tokens !== undefined && body.max_completion_tokens !== null ? 'max_completion_tokens' : 'max_tokens';
  const v = body[param];
  if (v === undefined || v === null) {
    ctx.warn('anthropic.max_tokens_defaulted', { max_tokens: DEFAULT_MAX_TOKENS });
    return DEFAULT_MAX_TOKENS;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalid(param, `${param} must be a positive integer`);
  return v;
}

function stopSequences(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((s): s is string => typeof s === 'string')) return stop;
  throw invalid('stop', 'stop must be a string or an array of strings');
}

function tools(value: unknown): JsonObject[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid('tools', 'tools must be an array');
  return value.map((tool, i) => {
    if (!isRecord(tool) || tool.type !== 'function' || !isRecord(tool.function) || typeof tool.function.name !== 'string') {
      throw invalid(`tools[${i}]`, `tools[${i}] must be {type:"function", function:{name, ...}}`);
    }
    const fn = tool.function;
    if (fn.strict === true) throw unsupported(`tools[${i}].function.strict`);
    const schema = isRecord(fn.parameters) ? fn.parameters : { type: 'object', properties: {} };
    return { name: fn.name, ...(typeof fn.description === 'string' ? { description: fn.description } : {}), input_schema: schema };
  });
}

function toolChoice(value: unknown, parallel: unknown, hasTools: boolean): JsonObject | undefined {
  let choice: JsonObject | undefined;
  if (value === undefined || value === null) choice = undefined;
  else if (value === 'auto') choice = { type: 'auto' };
  else if (value === 'none') choice = { type: 'none' };
  else if (value === 'required') choice = { type: 'any' };
  else if (isRecord(value) && value.type === 'function' && isRecord(value.function) && typeof value.function.name === 'string') {
    choice = { type: 'tool', name: value.function.name };
  } else throw invalid('tool_choice', 'tool_choice must be "auto", "none", "required" or {type:"function", function:{name}}');
  if (parallel === false) {
    if (!hasTools) return choice;
    choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  } else if (parallel !== undefined && parallel !== null && parallel !== true) {
    throw invalid('parallel_tool_calls', 'parallel_tool_calls must be a boolean');
  }
  return choice;
}

/** An OpenAI chat request as an Anthropic Messages API request. */
export function anthropicRequest(request: ChatRequest, model: string, ctx: TransformContext): JsonObject {
  const body = request.body;
  checkParams(body);
  const { system, messages } = translateMessages(body.messages);
  const out: JsonObject = { model, max_tokens: maxTokens(body, ctx), messages };
  if (system !== undefined) out.system = system;
  const temperature = number(body, 'temperature', 0, 1);
  if (temperature !== undefined) out.temperature = temperature;
  const topP = number(body, 'top_p', 0, 1);
  if (topP !== undefined) out.top_p = topP;
  const stop = stopSequences(body.stop);
  if (stop) out.stop_sequences = stop;
  const toolList = tools(body.tools);
  if (toolList && toolList.length > 0) out.tools = toolList;
  const choice = toolChoice(body.tool_choice, body.parallel_tool_calls, toolList !== undefined && toolList.length > 0);
  if (choice) out.tool_choice = choice;
  if (typeof body.user === 'string') out.metadata = { user_id: body.user };
  if (request.stream) out.stream = true;
  return out;
}
