import { SwitchyardError } from '@switchyard/errors';
import type { JsonObject } from '../../../domain/types.js';
import { isRecord } from '../spec.js';

type Block = JsonObject;
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

function invalid(param: string, message: string): SwitchyardError {
  return new SwitchyardError('invalid_argument', message, { param });
}

const DATA_URL = /^data:(image\/(?:jpeg|png|gif|webp));base64,(.*)$/s;

function imageBlock(part: JsonObject, param: string): Block {
  const image = part.image_url;
  const url = isRecord(image) ? image.url : typeof image === 'string' ? image : undefined;
  if (typeof url !== 'string') throw invalid(param, `${param}.image_url.url is required`);
  const data = DATA_URL.exec(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } };
  if (url.startsWith('data:')) throw invalid(param, `${param}: only jpeg, png, gif and webp data URLs are supported`);
  if (url.startsWith('https://') || url.startsWith('http://')) return { type: 'image', source: { type: 'url', url } };
  throw invalid(param, `${param}: image_url must be a data: or http(s): URL`);
}

/** A message's content (a string or parts) as Anthropic blocks; images only where `images` allows. */
function contentBlocks(content: unknown, param: string, images: boolean): Block[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(param, `${param} must be a string or an array of parts`);
  return content.map((part, j) => {
    const p = `${param}[${j}]`;
    if (!isRecord(part)) throw invalid(p, `${p} must be an object`);
    if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text };
    if (part.type === 'image_url' && images) return imageBlock(part, p);
    throw invalid(`${p}.type`, `content part type "${String(part.type)}" is not supported here by Anthropic models`);
  });
}

function textOf(content: unknown, param: string): string {
  return contentBlocks(content, param, false)
    .map((b) => String(b.text))
    .join('\n\n');
}

function toolUseBlocks(toolCalls: unknown, param: string): Block[] {
  if (toolCalls === undefined || toolCalls === null) return [];
  if (!Array.isArray(toolCalls)) throw invalid(param, `${param} must be an array`);
  return toolCalls.map((call, j) => {
    const p = `${param}[${j}]`;
    if (!isRecord(call) || typeof call.id !== 'string' || !isRecord(call.function) || typeof call.function.name !== 'string') {
      throw invalid(p, `${p} must be {id, type:"function", function:{name, arguments}}`);
    }
    const args = call.function.arguments;
    let input: unknown = {};
    if (typeof args === 'string' && args.trim() !== '') {
      try {
        input = JSON.parse(args);
      } catch {
        throw invalid(`${p}.function.arguments`, `${p}.function.arguments is not valid JSON`);
      }
    }
    if (!isRecord(input)) throw invalid(`${p}.function.arguments`, `${p}.function.arguments must be a JSON object`);
    return { type: 'tool_use', id: call.id, name: call.function.name, input };
  });
}

function toolResult(message: JsonObject, param: string): Block {
  if (typeof message.tool_call_id !== 'string') throw invalid(`${param}.tool_call_id`, `${param}.tool_call_id is required`);
  const content = contentBlocks(message.content, `${param}.content`, false);
  return { type: 'tool_result', tool_use_id: message.tool_call_id, content };
}

/** Appends a turn, merging consecutive turns of one role (Anthropic wants them alternating). */
function push(turns: Turn[], role: Turn['role'], blocks: Block[]): void {
  if (blocks.length === 0) return;
  const last = turns.at(-1);
  if (last && last.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

/**
 * OpenAI messages as Anthropic's: system and developer messages become `system`; assistant
 * tool calls become tool_use blocks; tool messages become tool_result blocks in a user turn.
 */
export function translateMessages(value: unknown): { system?: string; messages: JsonObject[] } {
  if (!Array.isArray(value) || value.length === 0) throw invalid('messages', 'messages must be a non-empty array');
  const system: string[] = [];
  const turns: Turn[] = [];
  value.forEach((message, i) => {
    const param = `messages[${i}]`;
    if (!isRecord(message)) throw invalid(param, `${param} must be an object`);
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(textOf(message.content, `${param}.content`));
        return;
      case 'user':
        push(turns, 'user', contentBlocks(message.content, `${param}.content`, true));
        return;
      case 'assistant': {
        const blocks = [...contentBlocks(message.content, `${param}.content`, false), ...toolUseBlocks(message.tool_calls, `${param}.tool_calls`)];
        push(turns, 'assistant', blocks);
        return;
      }
      case 'tool':
        push(turns, 'user', [toolResult(message, param)]);
        return;
      default:
        throw invalid(`${param}.role`, `role "${String(message.role)}" is not supported by Anthropic models`);
    }
  });
  if (turns.length === 0) throw invalid('messages', 'messages needs at least one user or assistant message');
  const messages = turns.map((t) => ({ role: t.role, content: t.content }));
  return system.length > 0 ? { system: system.join('\n\n'), messages } : { messages };
}
