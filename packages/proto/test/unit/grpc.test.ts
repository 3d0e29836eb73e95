import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwitchyardError } from '@switchyard/errors';
import { initTracing, activeTraceId, SpanKind, SpanStatusCode } from '@switchyard/obs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';

import {
  createClient, createServiceDefinition, implementService, startGrpcServer, useInProcessCalls, llmproxy, edge, type GrpcServerHandle,
} from '../../src/index.js';

const spans = new InMemorySpanExporter();
const { tracer } = initTracing({ serviceName: 'grpc-test', exporter: spans });
const encoder = new TextEncoder();
const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

/** What each transport's server saw, so tests can assert on the handler's side too. */
interface Seen { trace: string; lastSignal?: AbortSignal; lastBody?: Uint8Array; aborted: Promise<void>; markAborted: () => void }

function freshSeen(): Seen {
  let markAborted!: () => void;
  const aborted = new Promise<void>((r) => { markAborted = r; });
  return { trace: '', aborted, markAborted };
}

function implementation(current: () => Seen) {
  return implementService(llmproxy.LlmProxyService, {
    async createChatCompletion(req, ctx) {
      const seen = current();
      seen.trace = activeTraceId();
      seen.lastSignal = ctx.signal;
      seen.lastBody = req.body;
      const body = decode(req.body);
      if (body === 'deny') throw new SwitchyardError('policy_denied', 'model not allowed', { code: 'model_not_allowed', param: 'model' });
      if (body === 'crash') throw new TypeError('db password leaked');
      if (body === 'hang') {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        seen.markAborted();
        return { body: encoder.encode('too late') };
      }
      return { body: encoder.encode(`echo:${body}:${req.context?.requestId}`), outcome: { provider: 'mock', attempts: 1 } };
    },
    async *streamChatCompletion(req, ctx) {
      const seen = current();
      const n = Number(decode(req.body));
      if (n < 0) throw new SwitchyardError('upstream_timeout', 'provider timed out');
      for (let i = 0; i < n; i++) yield { event: { case: 'chunk', value: encoder.encode(`c${i}`) } };
      if (n === 0) {
        // Never ends by itself: only the caller's cancellation stops it.
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        seen.markAborted();
        return;
      }
      yield { event: { case: 'outcome', value: { provider: 'mock', usage: { totalTokens: BigInt(n) } } } };
    },
    async listModels() {
      return { body: encoder.encode('[]') };
    },
  });
}

const servers: GrpcServerHandle[] = [];
const transports = {
  grpc: { port: 0, address: '', seen: freshSeen() },
  'grpc-unix': { port: 0, address: '', seen: freshSeen() },
  'in-process': { port: 0, address: '', seen: freshSeen() },
};
const socketDir = mkdtempSync(join(tmpdir(), 'proto-grpc-'));

beforeAll(async () => {
  const overWire = await startGrpcServer([{ service: llmproxy.LlmProxyService, implementation: implementation(() => transports.grpc.seen) }], '127.0.0.1', 0);
  const overUnix = await startGrpcServer([{ service: llmproxy.LlmProxyService, implementation: implementation(() => transports['grpc-unix'].seen) }], `unix:${join(socketDir, 'llm.sock')}`, 0);
  useInProcessCalls(true);
  const local = await startGrpcServer([{ service: llmproxy.LlmProxyService, implementation: implementation(() => transports['in-process'].seen) }], '127.0.0.1', 0);
  useInProcessCalls(false);
  servers.push(overWire, overUnix, local);
  for (const [name, handle] of [['grpc', overWire], ['grpc-unix', overUnix], ['in-process', local]] as const) {
    transports[name].port = handle.port;
    transports[name].address = handle.address;
  }
});

afterAll(async () => {
  for (const s of servers) await s.shutdown(100);
  rmSync(socketDir, { recursive: true, force: true });
});

describe('grpc adapter', () => {
  it('builds a grpc-js definition with paths and streaming flags from the descriptor', () => {
    const def = createServiceDefinition(llmproxy.LlmProxyService);
    expect(def.createChatCompletion?.path).toBe('/switchyard.llmproxy.v1.LlmProxyService/CreateChatCompletion');
    expect(def.createChatCompletion?.responseStream).toBe(false);
    expect(def.streamChatCompletion?.responseStream).toBe(true);
    expect(Object.keys(createServiceDefinition(edge.EdgeAdminService)).sort()).toEqual(['flushPolicyCache', 'getPolicyCacheStats']);
  });

  it('maps an unreachable server to unavailable', async () => {
    using c = createClient(llmproxy.LlmProxyService, '127.0.0.1:1');
    await expect(c.client.listModels({}, { timeoutMs: 500 })).rejects.toMatchObject({ kind: expect.stringMatching(/unavailable|upstream_timeout/) });
  });

  it('binds a unix: address as given, with port 0, and a host:port one with the bound port', () => {
    expect(transports['grpc-unix'].address).toBe(`unix:${join(socketDir, 'llm.sock')}`);
    expect(transports['grpc-unix'].port).toBe(0);
    expect(transports.grpc.address).toBe(`127.0.0.1:${transports.grpc.port}`);
  });

  it('calls over the wire unless the process turned in-process calls on before the server started', async () => {
    using wire = createClient(llmproxy.LlmProxyService, `127.0.0.1:${transports.grpc.port}`);
    using local = createClient(llmproxy.LlmProxyService, `127.0.0.1:${transports['in-process'].port}`);
    const body = encoder.encode('same bytes');
    await wire.client.createChatCompletion({ body });
    await local.client.createChatCompletion({ body });
    // Over the wire the handler gets a decoded copy; in process, the very bytes the caller sent.
    expect(transports.grpc.seen.lastBody).not.toBe(body);
    expect(decode(transports.grpc.seen.lastBody!)).toBe('same bytes');
    expect(transports['in-process'].seen.lastBody).toBe(body);
  });
});

describe.each(['grpc', 'grpc-unix', 'in-process'] as const)('%s transport', (transport) => {
  const address = (): string => transports[transport].address;
  const seen = (): Seen => transports[transport].seen;

  it('calls a unary method with typed request and response, carrying the trace', async () => {
    using c = createClient(llmproxy.LlmProxyService, address());
    await tracer.startActiveSpan('caller', async (span) => {
      const res = await c.client.createChatCompletion({ context: { requestId: 'r1' }, body: encoder.encode('hi') });
      expect(decode(res.body)).toBe('echo:hi:r1');
      expect(res.outcome?.provider).toBe('mock');
      expect(seen().trace).toBe(span.spanContext().traceId);
      span.end();
    });
  });

  it('records a client span and, under it, a server span for every call', async () => {
    using c = createClient(llmproxy.LlmProxyService, address());
    spans.reset();
    const traceId = await tracer.startActiveSpan('caller', async (span) => {
      await c.client.createChatCompletion({ body: encoder.encode('traced') });
      for await (const _ of c.client.streamChatCompletion({ body: encoder.encode('2') })) { /* drain */ }
      span.end();
      return span.spanContext().traceId;
    });
    const rpc = spans.getFinishedSpans().filter((s) => s.name.startsWith('switchyard.llmproxy.v1.LlmProxyService/'));
    expect(rpc.map((s) => `${s.name.split('/')[1]} ${SpanKind[s.kind]}`).sort()).toEqual([
      'CreateChatCompletion CLIENT', 'CreateChatCompletion SERVER', 'StreamChatCompletion CLIENT', 'StreamChatCompletion SERVER',
    ]);
    for (const s of rpc) expect(s.spanContext().traceId).toBe(traceId);
    for (const name of ['CreateChatCompletion', 'StreamChatCompletion']) {
      const client = rpc.find((s) => s.name.endsWith(name) && s.kind === SpanKind.CLIENT)!;
      const server = rpc.find((s) => s.name.endsWith(name) && s.kind === SpanKind.SERVER)!;
      expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
      expect(server.attributes['rpc.method']).toBe(name);
      expect(server.status.code).toBe(SpanStatusCode.UNSET);
    }
  });

  it('marks both spans of a failed call as errors, with the error kind', async () => {
    using c = createClient(llmproxy.LlmProxyService, address());
    spans.reset();
    await expect(c.client.createChatCompletion({ body: encoder.encode('deny') })).rejects.toMatchObject({ kind: 'policy_denied' });
    const rpc = spans.getFinishedSpans().filter((s) => s.name.endsWith('/CreateChatCompletion'));
    expect(rpc).toHaveLength(2);
    for (const s of rpc) {
      expect(s.status.code).toBe(SpanStatusCode.ERROR);
      expect(s.attributes['switchyard.error.kind']).toBe('policy_denied');
    }
  });

  it('leaves a finished call\'s signal alone (grpc-js reports the closed stream as cancelled)', async () => {
    using c = createClient(llmproxy.LlmProxyService, address());
    await c.client.createChatCompletion({ body: encoder.encode('done') });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen().lastSignal?.aborted).toBe(false);
  });

  it('rebuilds the server error on the client, and hides internal causes', async () => {
    using c = createClient(llmproxy.LlmProxyService, address());
    const denied = await c.client.createChatCompletion({ body: encoder.encode('deny') }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SwitchyardError);
    expect(denied).toMatchObject({ kind: 'policy_denied', code: 'model_not_allowed', param: 'model', message: 'model not allowed' });
    const crash = await c.client.createChatCompletion({ body: encoder.encode('crash') }).catch((e: unknown) => e);
    expect(crash).toMatchObject({ kind: 'internal', message: 'internal error' });
  });

  it('ends a call at its deadline, and the handler sees the abort', async () => {
    transports[transport].seen = freshSeen();
    using c = createClient(llmproxy.LlmProxyService, address());
    const t0 = performance.now();
    await expect(c.client.createChatCompletion({ body: encoder.encode('hang') }, { timeoutMs: 100 })).rejects.toMatchObject({ kind: 'upstream_timeout' });
    expect(performance.now() - t0).toBeLessThan(1000);
    await seen().aborted;
  });

  it('streams server-streaming responses in order, ending with the outcome', async () => {
    using c = createClient(llmproxy.LlmProxyService, address());
    const events: string[] = [];
    for await (const m of c.client.streamChatCompletion({ body: encoder.encode('3') })) {
      events.push(m.event.case === 'chunk' ? decode(m.event.value) : `outcome:${m.event.value?.usage?.totalTokens}`);
    }
    expect(events).toEqual(['c0', 'c1', 'c2', 'outcome:3']);
  });

  it('surfaces a stream error with its kind', async () => {
    using c = createClient(llmproxy.LlmProxyService, address());
    const consume = async (): Promise<void> => { for await (const _ of c.client.streamChatCompletion({ body: encoder.encode('-1') })) { /* none */ } };
    await expect(consume()).rejects.toMatchObject({ kind: 'upstream_timeout' });
  });

  it('propagates client cancellation to the server handler', async () => {
    transports[transport].seen = freshSeen();
    using c = createClient(llmproxy.LlmProxyService, address());
    const abort = new AbortController();
    const consume = (async () => { for await (const _ of c.client.streamChatCompletion({ body: encoder.encode('0') }, { signal: abort.signal })) { /* none */ } })();
    setTimeout(() => abort.abort(), 50);
    await expect(consume).rejects.toMatchObject({ kind: 'cancelled' });
    await transports[transport].seen.aborted;
  });
});
