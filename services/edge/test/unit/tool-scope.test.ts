import { describe, expect, it } from 'vitest';
import { compileModelPatterns } from '@switchyard/config';
import { SwitchyardError } from '@switchyard/errors';
import { resolveToolScope, toolScopeOf, UNRESTRICTED_SCOPE } from '@switchyard/limits';
import { autoExecutableNames, selectTools, toolAllowed, upstreamNameOf, type McpTool } from '../../src/domain/mcp-tools.js';
import { decide } from '../../src/domain/agent-mode.js';
import { ANONYMOUS, authorizeFallbackProviders, authorizeProvider, providerOf } from '../../src/domain/policy.js';
import { ToolGroupCache } from '../../src/domain/tool-group-cache.js';
import type { ToolGroupView } from '../../src/domain/governance-views.js';
import type { Principal } from '../../src/domain/types.js';

const tool = (client: string, name: string, upstream = true): McpTool => ({
  name: `${client}-${name}`, client, description: undefined, parameters: {}, ...(upstream ? { upstreamName: name } : {}),
});
const catalog = [tool('filesystem', 'read_file'), tool('filesystem', 'write_file'), tool('filesystem', 'list_directory'), tool('memory', 'read_graph')];
const names = (tools: readonly McpTool[]): string[] => tools.map((t) => t.name);

function principal(allowedProviders: string[]): Principal {
  return { ...ANONYMOUS, keyId: 'vk_1', allowedProviders, providers: compileModelPatterns(allowedProviders) };
}

function thrown(fn: () => unknown): SwitchyardError {
  try {
    fn();
  } catch (err) {
    return err as SwitchyardError;
  }
  throw new Error('did not throw');
}

describe('tool scope on the catalog', () => {
  it('passes the catalog through untouched with no header and an unrestricted scope', () => {
    expect(selectTools(catalog, { clients: undefined, tools: undefined, scope: UNRESTRICTED_SCOPE })).toBe(catalog);
  });

  it('keeps read_file and drops write_file of the same client', () => {
    const scope = toolScopeOf({ filesystem: ['read_file', 'list_directory'] });
    expect(names(selectTools(catalog, { clients: undefined, tools: undefined, scope }))).toEqual(['filesystem-read_file', 'filesystem-list_directory']);
  });

  it('intersects the scope with the include headers: headers only narrow', () => {
    const scope = resolveToolScope({ filesystem: ['read_file'] }, [{ memory: ['*'] }]);
    expect(names(selectTools(catalog, { clients: undefined, tools: undefined, scope }))).toEqual(['filesystem-read_file', 'memory-read_graph']);
    // A header naming a tool outside the scope does not add it.
    expect(names(selectTools(catalog, { clients: undefined, tools: ['filesystem-*'], scope }))).toEqual(['filesystem-read_file']);
    expect(names(selectTools(catalog, { clients: ['memory'], tools: undefined, scope }))).toEqual(['memory-read_graph']);
    expect(selectTools(catalog, { clients: undefined, tools: undefined, scope: toolScopeOf({}) })).toEqual([]);
  });

  it('matches the scope on the upstream name, derived from the exposed name when the catalog lacks it', () => {
    expect(upstreamNameOf(tool('filesystem', 'read_file', false))).toBe('read_file');
    expect(toolAllowed(tool('filesystem', 'read_file', false), { clients: undefined, tools: undefined, scope: toolScopeOf({ filesystem: ['read_file'] }) })).toBe(true);
  });
});

describe('agent mode under a tool scope', () => {
  it('never auto-executes a tool outside the scope: a call to it goes back to the app as pending', () => {
    const auto = catalog.map((t) => ({ ...t, autoExecute: true }));
    const selected = selectTools(auto, { clients: undefined, tools: undefined, scope: toolScopeOf({ filesystem: ['read_file'] }) });
    const names = autoExecutableNames(undefined, selected)!;
    expect([...names]).toEqual(['filesystem-read_file']);
    expect(decide([{ id: '1', name: 'filesystem-read_file', arguments: '{}' }], names, 0, 5)).toEqual({ action: 'execute' });
    expect(decide([{ id: '1', name: 'filesystem-write_file', arguments: '{}' }], names, 0, 5)).toEqual({ action: 'return', reason: 'pending' });
  });
});

describe('provider allow-list', () => {
  it('names the provider before the first slash', () => {
    expect(providerOf('together/meta-llama/Llama-3')).toBe('together');
    expect(providerOf('gpt-4o')).toBe('');
  });

  it('refuses other providers with 403 provider_not_allowed', () => {
    const p = principal(['openai', 'azure-*']);
    expect(() => authorizeProvider(p, 'openai/gpt-4o')).not.toThrow();
    expect(() => authorizeProvider(p, 'azure-eu/gpt-4o')).not.toThrow();
    const err = thrown(() => authorizeProvider(p, 'anthropic/claude-sonnet-4-5'));
    expect(err).toMatchObject({ kind: 'permission_denied', code: 'provider_not_allowed', param: 'model' });
    // A bare model cannot be checked: only keys allowed every provider may send one.
    expect(thrown(() => authorizeProvider(p, 'gpt-4o')).code).toBe('provider_not_allowed');
    expect(() => authorizeProvider(ANONYMOUS, 'gpt-4o')).not.toThrow();
    expect(thrown(() => authorizeProvider(principal([]), 'openai/gpt-4o')).code).toBe('provider_not_allowed');
  });

  it('checks a body\'s fallbacks too', () => {
    const p = principal(['openai']);
    expect(() => authorizeFallbackProviders(p, ['openai/gpt-4o-mini'])).not.toThrow();
    expect(thrown(() => authorizeFallbackProviders(p, ['openai/x', 'anthropic/y'])).param).toBe('fallbacks[1]');
  });
});

describe('ToolGroupCache', () => {
  const group = (enabled: boolean): ToolGroupView => ({
    id: 'tg_1', slug: 'readers', name: 'Readers', description: '', enabled, tools: [{ client: 'filesystem', tools: ['read_file'] }],
    attachments: [], createdAt: null, updatedAt: null,
  });

  it('serves enabled groups as scopes, caches them, treats disabled and unknown ones as absent, and flushes', async () => {
    let calls = 0;
    let current: ToolGroupView | null = group(true);
    const cache = new ToolGroupCache({ find: async () => { calls++; return current; } }, { ttlMs: 60_000 });
    const served = await cache.get('readers');
    expect(served?.slug).toBe('readers');
    expect(names(selectTools(catalog, { clients: undefined, tools: undefined, scope: served!.scope }))).toEqual(['filesystem-read_file']);
    await cache.get('readers');
    expect(calls).toBe(1);
    current = group(false);
    cache.flush();
    expect(await cache.get('readers')).toBeNull();
    expect(await cache.get('Not_A_Slug')).toBeNull();
    expect(calls).toBe(2);
  });

  it('fails closed when governance cannot answer', async () => {
    const cache = new ToolGroupCache({ find: async () => { throw new Error('down'); } }, { ttlMs: 60_000 });
    await expect(cache.get('readers')).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
