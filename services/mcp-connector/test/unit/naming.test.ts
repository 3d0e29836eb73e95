import { describe, expect, it } from 'vitest';
import { exposedToolName, MAX_TOOL_NAME, ToolNameMap } from '../../src/domain/naming.js';

const VALID = /^[A-Za-z0-9_-]{1,64}$/;

describe('exposedToolName', () => {
  it('is <client>-<tool> when that is already valid', () => {
    expect(exposedToolName('github', 'create_issue')).toBe('github-create_issue');
    expect(exposedToolName('ev', 'get-sum')).toBe('ev-get-sum');
  });

  it('replaces invalid characters and adds a hash, so dotted and underscored names never collide', () => {
    const dotted = exposedToolName('fs', 'read.file');
    const underscored = exposedToolName('fs', 'read_file');
    expect(dotted).toMatch(/^fs-read_file-[0-9a-f]{8}$/);
    expect(underscored).toBe('fs-read_file');
    expect(dotted).not.toBe(underscored);
    expect(exposedToolName('fs', 'ünïcode tool/x')).toMatch(VALID);
  });

  it('shortens long names deterministically to 64 characters with a hash suffix', () => {
    const tool = 'a'.repeat(100);
    const name = exposedToolName('client', tool);
    expect(name).toHaveLength(MAX_TOOL_NAME);
    expect(name).toMatch(VALID);
    expect(name.startsWith('client-aaaa')).toBe(true);
    expect(exposedToolName('client', tool)).toBe(name);
    // two long names with the same 55-character prefix still differ
    expect(exposedToolName('client', `${tool}x`)).not.toBe(name);
    expect(exposedToolName('client', `${'a'.repeat(57)}`)).toBe(`client-${'a'.repeat(57)}`);
    expect(exposedToolName('client', `${'a'.repeat(58)}`)).toHaveLength(64);
  });

  it('depends only on its own client and tool (stable when other clients come and go)', () => {
    const alone = new ToolNameMap();
    const a = alone.add('alpha', 'search');
    const crowded = new ToolNameMap();
    crowded.add('beta', 'search');
    crowded.add('alpha-search', 'x');
    crowded.add('alph', 'a-search');
    const b = crowded.add('alpha', 'search');
    expect(a).toBe(b);
  });
});

describe('ToolNameMap', () => {
  it('maps exposed names back exactly, including shortened and sanitised ones', () => {
    const map = new ToolNameMap();
    const pairs: [string, string][] = [['ev', 'echo'], ['fs', 'read.file'], ['fs', 'read_file'], ['c', 'x'.repeat(200)], ['c', `${'x'.repeat(199)}y`]];
    const names = pairs.map(([c, t]) => map.add(c, t)!);
    expect(new Set(names).size).toBe(pairs.length);
    pairs.forEach(([client, tool], i) => expect(map.resolve(names[i]!)).toEqual({ client, tool }));
    expect(map.resolve('ev-nope')).toBeUndefined();
  });

  it('keeps a hyphenated client apart from a hyphenated tool (a-b + c vs a + b-c)', () => {
    const map = new ToolNameMap();
    const n1 = map.add('a-b', 'c')!;
    const n2 = map.add('a', 'b-c')!;
    expect(n2).toBe('a-b-c');
    expect(n1).toMatch(/^a-b-c-[0-9a-f]{8}$/);
    expect(map.resolve(n1)).toEqual({ client: 'a-b', tool: 'c' });
    expect(map.resolve(n2)).toEqual({ client: 'a', tool: 'b-c' });
  });

  it('never hands one name to two pairs', () => {
    const map = new ToolNameMap();
    expect(map.add('ev', 'echo')).toBe('ev-echo');
    expect(map.add('ev', 'echo')).toBe('ev-echo');
    expect(map.size).toBe(1);
  });
});
