import { describe, expect, it } from 'vitest';
import type { McpCatalogLists } from '../../src/domain/ports.js';
import { dispatchCatalog, matchesTemplate, type CatalogSource } from '../../src/server/http/mcp-server-catalog.js';

const LISTS: McpCatalogLists = {
  resources: [{ client: 'a', name: 'test://x', upstreamName: 'test://x', definition: { uri: 'test://x', name: 'x', _meta: { k: 1 } } }],
  resourceTemplates: [{ client: 'b', name: 'test://t/{id}/data', upstreamName: 'test://t/{id}/data', definition: { uriTemplate: 'test://t/{id}/data', name: 't' } }],
  prompts: [{ client: 'b', name: 'b-greet', upstreamName: 'greet', definition: { name: 'greet', title: 'Greet' } }],
};

function source(client: string | undefined): CatalogSource & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    client, calls,
    lists: async () => LISTS,
    forward: async (c, method, params) => { calls.push([c, method, params]); return { result: { ok: true } }; },
  };
}

describe('matchesTemplate', () => {
  it('matches simple, reserved and query expansions', () => {
    expect(matchesTemplate('test://t/{id}/data', 'test://t/123/data')).toBe(true);
    expect(matchesTemplate('test://t/{id}/data', 'test://t/1/2/data')).toBe(false);
    expect(matchesTemplate('file:///{+path}', 'file:///a/b/c.txt')).toBe(true);
    expect(matchesTemplate('api://items{?q,limit}', 'api://items?q=x&limit=2')).toBe(true);
    expect(matchesTemplate('a.b://{x}', 'aXb://1')).toBe(false);
  });
});

describe('dispatchCatalog', () => {
  it('lists prompts under exposed names on /mcp and upstream names on /mcp/clients/<name>, the rest untouched', async () => {
    expect(await dispatchCatalog('prompts/list', undefined, source(undefined))).toEqual({ result: { prompts: [{ name: 'b-greet', title: 'Greet' }] } });
    expect(await dispatchCatalog('prompts/list', undefined, source('b'))).toEqual({ result: { prompts: [{ name: 'greet', title: 'Greet' }] } });
    expect(await dispatchCatalog('resources/list', undefined, source(undefined))).toEqual({ result: { resources: [LISTS.resources[0]!.definition] } });
  });

  it('routes reads by exact URI, then by template, and answers -32002 for unknown URIs', async () => {
    const s = source(undefined);
    await dispatchCatalog('resources/read', { uri: 'test://x' }, s);
    await dispatchCatalog('resources/read', { uri: 'test://t/9/data' }, s);
    expect(s.calls).toEqual([['a', 'resources/read', { uri: 'test://x' }], ['b', 'resources/read', { uri: 'test://t/9/data' }]]);
    expect(await dispatchCatalog('resources/read', { uri: 'nope://' }, s)).toMatchObject({ error: { code: -32002 } });
    expect(await dispatchCatalog('resources/read', {}, s)).toMatchObject({ error: { code: -32602 } });
  });

  it('maps prompt names back for prompts/get and completion/complete', async () => {
    const s = source(undefined);
    await dispatchCatalog('prompts/get', { name: 'b-greet', arguments: { who: 'x' } }, s);
    await dispatchCatalog('completion/complete', { ref: { type: 'ref/prompt', name: 'b-greet' }, argument: { name: 'who', value: 'x' } }, s);
    expect(s.calls).toEqual([
      ['b', 'prompts/get', { name: 'greet', arguments: { who: 'x' } }],
      ['b', 'completion/complete', { ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'who', value: 'x' } }],
    ]);
    expect(await dispatchCatalog('prompts/get', { name: 'greet' }, s)).toMatchObject({ error: { code: -32602 } });
  });

  it('passes an upstream JSON-RPC error through', async () => {
    const s: CatalogSource = { client: 'a', lists: async () => LISTS, forward: async () => ({ error: { code: -32002, message: 'gone', data: { uri: 'u' } } }) };
    expect(await dispatchCatalog('resources/read', { uri: 'u' }, s)).toEqual({ error: { code: -32002, message: 'gone', data: { uri: 'u' } } });
  });
});
