import { describe, it, expect } from 'vitest';
import { createClient, implementService, startGrpcServer, llmproxy, type GrpcServerHandle } from '../../src/index.js';

const encoder = new TextEncoder();

function named(name: string) {
  return implementService(llmproxy.LlmProxyService, {
    async createChatCompletion() { return { body: encoder.encode(name) }; },
    async *streamChatCompletion() { /* not used here */ },
    async listModels() { return { body: encoder.encode('[]') }; },
  });
}

describe('client load balancing', () => {
  it('spreads calls over every address the target resolves to (a headless Service resolves to every pod)', async () => {
    const servers: GrpcServerHandle[] = [];
    try {
      for (const name of ['a', 'b']) servers.push(await startGrpcServer([{ service: llmproxy.LlmProxyService, implementation: named(name) }], '127.0.0.1', 0));
      // One target with two addresses, as DNS answers for a headless Service with two pods.
      const target = `ipv4:${servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`;
      using client = createClient(llmproxy.LlmProxyService, target);
      await client.waitForReady(5_000);
      const seen = new Map<string, number>();
      for (let i = 0; i < 40; i++) {
        const res = await client.client.createChatCompletion({ body: encoder.encode('hi') });
        const who = new TextDecoder().decode(res.body);
        seen.set(who, (seen.get(who) ?? 0) + 1);
      }
      // pick-first (grpc-js's default) would send all 40 to one server.
      expect(seen.get('a') ?? 0).toBeGreaterThan(0);
      expect(seen.get('b') ?? 0).toBeGreaterThan(0);
      expect((seen.get('a') ?? 0) + (seen.get('b') ?? 0)).toBe(40);
    } finally {
      await Promise.all(servers.map((s) => s.shutdown(1_000)));
    }
  });
});
