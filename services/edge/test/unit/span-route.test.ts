import { describe, it, expect } from 'vitest';
import { spanRoute } from '../../src/server/http/node-server.js';

describe('spanRoute', () => {
  it('keeps static routes and drops the query', () => {
    expect(spanRoute('/v1/models?x=1')).toBe('/v1/models');
    expect(spanRoute('/api/keys')).toBe('/api/keys');
    expect(spanRoute('/mcp')).toBe('/mcp');
    expect(spanRoute(undefined)).toBe('/');
  });

  it('replaces ids and client or group names, so span names stay few', () => {
    expect(spanRoute('/api/keys/key_01JX2')).toBe('/api/keys/:id');
    expect(spanRoute('/mcp/clients/filesystem')).toBe('/mcp/clients/:id');
    expect(spanRoute('/mcp/groups/support-tools')).toBe('/mcp/groups/:id');
    expect(spanRoute('/a/b/c/d/e/f/g')).toBe('/a/b/c/d');
  });
});
