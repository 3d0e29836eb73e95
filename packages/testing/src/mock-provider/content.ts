// Reading the text out of OpenAI and Anthropic request bodies, which share enough shape
// (messages[].content as a string or a list of parts with `text`) for one walker.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of a message's content: a string, or the `text` of its parts (tool results included). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (!isRecord(part)) continue;
    const text = typeof part['text'] === 'string' ? part['text'] : textOf(part['content']);
    if (text === '') continue;
    out = out === '' ? text : `${out}\n${text}`;
  }
  return out;
}

export function messagesOf(body: Record<string, unknown>): unknown[] {
  const messages = body['messages'];
  return Array.isArray(messages) ? messages : [];
}

/** Every text in the request: the Anthropic `system` field and each message's content. */
export function allTexts(body: Record<string, unknown>): string[] {
  const texts: string[] = [];
  const system = textOf(body['system']);
  if (system !== '') texts.push(system);
  for (const message of messagesOf(body)) {
    if (!isRecord(message)) continue;
    const text = textOf(message['content']);
    if (text !== '') texts.push(text);
  }
  return texts;
}

/** Characters of text in the prompt; the mock's token counts are ceil(chars / 4). */
export function promptChars(body: Record<string, unknown>): number {
  let chars = textOf(body['system']).length;
  for (const message of messagesOf(body)) {
    if (isRecord(message)) chars += textOf(message['content']).length;
  }
  return chars;
}

export function tokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

const DIRECTIVE_LINE = /^\s*mock:.*$/gm;

/** The last user message's text without directive lines, trimmed. */
export function lastUserText(body: Record<string, unknown>): string {
  const messages = messagesOf(body);
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (!isRecord(message) || message['role'] !== 'user') continue;
    const text = textOf(message['content']);
    if (text === '') continue;
    return (text.includes('mock:') ? text.replace(DIRECTIVE_LINE, '') : text).trim();
  }
  return '';
}

export function defaultReply(body: Record<string, unknown>): string {
  return `Mock reply to: ${lastUserText(body).slice(0, 40)}`;
}
