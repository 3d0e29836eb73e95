import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/errors';
import {
  injectTools, matchesPattern, mergeTools, NO_FILTER, parseIncludeHeader, parseToolCall, selectTools, toolResultContent, type McpTool,
} from '../../src/domain/mcp-tools.js';
import { validateChatRequest } from '../../src/domain/chat-request.js';

const tool = (client: string, name: string, description?: string): McpTool => ({
  name: `${client}-${name}`,
  client,
  description,
  parameters: { type: 'object', properties: { message: { type: 'string' } } },
});

const catalog = [tool('everything', 'echo', 'Echoes'), tool('everything', 'add'), tool('files', 'read')];
const names = (tools: readonly unknown[] | undefined): unknown[] => (tools ?? []).map((t) => (t as { function: { name: string } }).function.name);

function thrown(fn: () => unknown): SwitchyardError {
  try {
    fn();
  } catch (err) {
    return err as SwitchyardError;
  }
  throw new Error('did not throw');
}

describe('include headers', () => {
  it('absent means no filter, present-but-empty means nothing, entries trimmed', () => {
    expect(parseIncludeHeader(undefined)).toBeUndefined();
    expect(parseIncludeHeader('')).toEqual([]);
    expect(parseIncludeHeader(' , ')).toEqual([]);
    expect(parseIncludeHeader(' a , b-* ,')).toEqual(['a', 'b-*']);
  });

  it('matches * wildcards anywhere and literals exactly', () => {
    expect(matchesPattern('*', 'anything')).toBe(true);
    expect(matchesPattern('everything-*', 'everything-echo')).toBe(true);
    expect(matchesPattern('everything-*', 'files-read')).toBe(false);
    expect(matchesPattern('*-echo', 'everything-echo')).toBe(true);
    expect(matchesPattern('e*g-e*o', 'everything-echo')).toBe(true);
    expect(matchesPattern('ab*ab', 'ab')).toBe(false);
    expect(matchesPattern('everything-echo', 'everything-echo')).toBe(true);
    expect(matchesPattern('everything-ech', 'everything-echo')).toBe(false);
  });

  it('narrows by client and by exposed tool name; both must pass', () => {
    expect(selectTools(catalog, NO_FILTER)).toBe(catalog);
    expect(selectTools(catalog, { clients: ['files'], tools: undefined }).map((t) => t.name)).toEqual(['files-read']);
    expect(selectTools(catalog, { clients: undefined, tools: ['everything-*'] }).map((t) => t.name)).toEqual(['everything-echo', 'everything-add']);
    expect(selectTools(catalog, { clients: ['*'], tools: ['*-echo', 'files-read'] }).map((t) => t.name)).toEqual(['everything-echo', 'files-read']);
    expect(selectTools(catalog, { clients: ['files'], tools: ['everything-echo'] })).toEqual([]);
    expect(selectTools(catalog, { clients: [], tools: undefined })).toEqual([]);
    expect(selectTools(catalog, { clients: undefined, tools: [] })).toEqual([]);
  });
});

describe('merging tools', () => {
  it('appends MCP tools after the caller tools as OpenAI functions', () => {
    const own = { type: 'function', function: { name: 'mine', parameters: {} } };
    const merged = mergeTools([own], catalog.slice(0, 1));
    expect(merged?.[0]).toBe(own);
    expect(merged?.[1]).toEqual({ type: 'function', function: { name: 'everything-echo', description: 'Echoes', parameters: catalog[0]!.parameters } });
  });

  it('omits description when the tool has none', () => {
    expect(mergeTools(undefined, [catalog[1]!])).toEqual([{ type: 'function', function: { name: 'everything-add', parameters: catalog[1]!.parameters } }]);
  });

  it('skips names the caller already sent, and answers undefined when nothing is added', () => {
    const own = [{ type: 'function', function: { name: 'everything-echo', description: 'caller version', parameters: {} } }];
    expect(names(mergeTools(own, catalog))).toEqual(['everything-echo', 'everything-add', 'files-read']);
    expect((mergeTools(own, catalog)?.[0] as { function: { description: string } }).function.description).toBe('caller version');
    expect(mergeTools(own, [catalog[0]!])).toBeUndefined();
    expect(mergeTools(null, [])).toBeUndefined();
  });
});

describe('injectTools', () => {
  const body = (): ReturnType<typeof validateChatRequest> => validateChatRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0.5 });

  it('re-serialises the whole body with the tools added', () => {
    const out = injectTools(body(), catalog, { clients: undefined, tools: ['everything-echo'] });
    const json = JSON.parse(Buffer.from(out!).toString('utf8')) as Record<string, unknown>;
    expect(json.temperature).toBe(0.5);
    expect(json.messages).toEqual([{ role: 'user', content: 'hi' }]);
    expect(names(json.tools as unknown[])).toEqual(['everything-echo']);
  });

  it('leaves the body alone when the headers filter everything out', () => {
    const chat = body();
    expect(injectTools(chat, catalog, { clients: [], tools: undefined })).toBeUndefined();
    expect(chat.tools).toBeUndefined();
  });
});

describe('execute body validation', () => {
  const good = { id: 'call_1', type: 'function', function: { name: 'everything-echo', arguments: '{"message":"hi"}' } };

  it('accepts one OpenAI tool call', () => {
    expect(parseToolCall(good)).toEqual({ id: 'call_1', name: 'everything-echo', arguments: '{"message":"hi"}' });
  });

  it.each([
    ['not an object', [], 'body', undefined],
    ['missing id', { ...good, id: undefined }, 'id', undefined],
    ['empty id', { ...good, id: '' }, 'id', undefined],
    ['wrong type', { ...good, type: 'tool' }, 'type', undefined],
    ['missing function', { ...good, function: undefined }, 'function', undefined],
    ['missing name', { ...good, function: { arguments: '{}' } }, 'function.name', undefined],
    ['arguments not a string', { ...good, function: { name: 'x', arguments: { a: 1 } } }, 'function.arguments', 'invalid_tool_arguments'],
    ['arguments not JSON', { ...good, function: { name: 'x', arguments: '{' } }, 'function.arguments', 'invalid_tool_arguments'],
    ['arguments an array', { ...good, function: { name: 'x', arguments: '[1]' } }, 'function.arguments', 'invalid_tool_arguments'],
    ['arguments null', { ...good, function: { name: 'x', arguments: 'null' } }, 'function.arguments', 'invalid_tool_arguments'],
  ])('rejects %s with param', (_label, body, param, code) => {
    const err = thrown(() => parseToolCall(body));
    expect(err.kind).toBe('invalid_argument');
    expect(err.param).toBe(param);
    if (code) expect(err.code).toBe(code);
  });
});

describe('tool result content', () => {
  it('joins text parts and JSON-encodes the others', () => {
    const image = { type: 'image', data: 'AAA', mimeType: 'image/png' };
    expect(toolResultContent({ content: [{ type: 'text', text: 'a' }, image, { type: 'text', text: 'b' }] })).toBe(`a\n${JSON.stringify(image)}\nb`);
  });

  it('keeps the text of an isError result', () => {
    expect(toolResultContent({ isError: true, content: [{ type: 'text', text: 'boom' }] })).toBe('boom');
  });

  it('falls back to structuredContent, then to empty', () => {
    expect(toolResultContent({ content: [], structuredContent: { n: 1 } })).toBe('{"n":1}');
    expect(toolResultContent({ content: [] })).toBe('');
  });
});
