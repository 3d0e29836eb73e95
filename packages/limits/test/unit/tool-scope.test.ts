import { describe, expect, it } from 'vitest';
import { intersectToolScopes, resolveToolScope, toolInScope, toolScopeJson, toolScopeOf, UNRESTRICTED_SCOPE } from '../../src/index.js';

describe('resolveToolScope', () => {
  it('is unrestricted without an own allow-list and without groups (keys made before tool scopes)', () => {
    expect(resolveToolScope(undefined, [])).toBe(UNRESTRICTED_SCOPE);
    expect(toolInScope(resolveToolScope(undefined, []), 'anything', 'at_all')).toBe(true);
  });

  it('treats an empty own allow-list as no tools at all', () => {
    const scope = resolveToolScope({}, []);
    expect(scope.unrestricted).toBe(false);
    expect(toolInScope(scope, 'filesystem', 'read_file')).toBe(false);
    expect(toolScopeJson(scope)).toEqual({});
  });

  it('grants per tool: read_file yes, write_file no, on the same client', () => {
    const scope = resolveToolScope({ filesystem: ['read_file', 'list_directory'], memory: ['*'] }, []);
    expect(toolInScope(scope, 'filesystem', 'read_file')).toBe(true);
    expect(toolInScope(scope, 'filesystem', 'write_file')).toBe(false);
    expect(toolInScope(scope, 'memory', 'create_entities')).toBe(true);
    expect(toolInScope(scope, 'github', 'read_file')).toBe(false);
  });

  it('unions the own list and every group, without duplicates, in first-seen order', () => {
    const scope = resolveToolScope({ filesystem: ['read_file'] }, [
      { filesystem: ['list_directory', 'read_file'] },
      { memory: ['read_graph'], filesystem: ['read_file'] },
    ]);
    expect(toolScopeJson(scope)).toEqual({ filesystem: ['read_file', 'list_directory'], memory: ['read_graph'] });
  });

  it('collapses a client to ["*"] once any source grants every tool of it', () => {
    expect(toolScopeJson(resolveToolScope({ fs: ['a'] }, [{ fs: ['*'] }, { fs: ['b'] }]))).toEqual({ fs: ['*'] });
  });

  it('takes groups alone when the key has no own list', () => {
    const scope = resolveToolScope(undefined, [{ fs: ['read_file'] }]);
    expect(toolScopeJson(scope)).toEqual({ fs: ['read_file'] });
  });
});

describe('intersectToolScopes', () => {
  it('leaves the other side when one side is unrestricted', () => {
    const narrow = toolScopeOf({ fs: ['a'] });
    expect(intersectToolScopes(UNRESTRICTED_SCOPE, narrow)).toBe(narrow);
    expect(intersectToolScopes(narrow, UNRESTRICTED_SCOPE)).toBe(narrow);
  });

  it('keeps only tools both sides allow, `*` standing for every tool', () => {
    const a = toolScopeOf({ fs: ['read_file', 'write_file'], mem: ['*'], gh: ['x'] });
    const b = toolScopeOf({ fs: ['read_file'], mem: ['read_graph'], other: ['*'] });
    expect(toolScopeJson(intersectToolScopes(a, b))).toEqual({ fs: ['read_file'], mem: ['read_graph'] });
  });
});
